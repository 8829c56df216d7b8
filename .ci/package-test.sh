#!/usr/bin/env bash
# The NuGet package as a user meets it: `dotnet pack` the LlamaGen package (runtime in lib/net10.0, generator in
# analyzers/dotnet/cs) into a temporary folder feed, build a consumer project outside the repository that has only
# <PackageReference Include="LlamaGen"/> and [LlamaModel("spec.json")], run it on stories260K (JIT), publish it with
# `dotnet publish -r <rid> -p:PublishAot=true` and run the native binary; both must print llama2.c's golden text.
# Ends with "package: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
repo=$(pwd)
fixtures=$(cd ../shared/fixtures && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/llamagen-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
check() { # $1 = label, $2 = file with the generated text
    if python3 - "$fixtures/stories260K.golden.json" "$2" <<'PY'
import json, sys
expected = json.load(open(sys.argv[1]))["reference_text"]
actual = open(sys.argv[2], encoding="utf-8").read()
sys.exit(0 if actual == expected else 1)
PY
    then echo "package: $1 printed the golden text"; passed=$((passed + 1))
    else echo "package: $1 did not print the golden text:" >&2; head -c 400 "$2" >&2; echo >&2; failed=$((failed + 1)); fi
}

version="0.5.0-ci.$(date +%s)"
echo "package: dotnet pack runtime/LlamaGen.Runtime -c Release -p:Version=$version"
if ! dotnet pack runtime/LlamaGen.Runtime -c Release -p:Version="$version" -o "$work/feed" >"$work/pack.log" 2>&1; then
    tail -30 "$work/pack.log" >&2; echo "package: 0 passed, 1 failed"; exit 1
fi
# List once into a variable: `unzip | grep -q` under pipefail fails when grep stops reading early (SIGPIPE).
listing=$(unzip -l "$work/feed/LlamaGen.$version.nupkg")
grep -E "lib/net10.0/LlamaGen.Runtime.dll|analyzers/dotnet/cs/LlamaGen.Generator.dll|README.md" <<<"$listing" || true
for entry in lib/net10.0/LlamaGen.Runtime.dll analyzers/dotnet/cs/LlamaGen.Generator.dll README.md; do
    if grep -q " $entry\$" <<<"$listing"; then passed=$((passed + 1))
    else echo "package: $entry is missing from the package" >&2; failed=$((failed + 1)); fi
done

consumer="$work/consumer"
mkdir -p "$consumer"
sed "s/@VERSION@/$version/" .ci/package-consumer/Consumer.csproj.template > "$consumer/Consumer.csproj"
cp .ci/package-consumer/Program.cs "$consumer/Program.cs"
cp specs/stories260k.json "$consumer/spec.json"
# The local feed and nuget.org; a private packages folder so no other build's copy of the package is used.
cat > "$consumer/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config><add key="globalPackagesFolder" value="$work/packages" /></config>
  <packageSources>
    <clear />
    <add key="local" value="$work/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML
cd "$consumer"
echo "package: dotnet run (consumer outside the repository)"
if dotnet run -c Release -- "$fixtures" "$work/stories260K.gguf" >"$work/jit.txt" 2>"$work/jit.log"; then check "dotnet run" "$work/jit.txt"
else tail -30 "$work/jit.log" >&2; failed=$((failed + 1)); fi

rid=$(dotnet --info | awk -F': *' '/^ *RID:/ { print $2; exit }')
echo "package: dotnet publish -r $rid -p:PublishAot=true"
if dotnet publish -c Release -r "$rid" -p:PublishAot=true -o "$work/native" >"$work/aot.log" 2>&1; then
    "$work/native/Consumer" "$fixtures" "$work/stories260K-aot.gguf" >"$work/aot.txt" 2>"$work/aot-run.log" && check "the NativeAOT binary" "$work/aot.txt" \
        || { cat "$work/aot-run.log" >&2; failed=$((failed + 1)); }
else grep -E "error" "$work/aot.log" | sort -u | head -20 >&2; tail -10 "$work/aot.log" >&2; failed=$((failed + 1)); fi

echo "package: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
