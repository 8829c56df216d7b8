#!/usr/bin/env bash
# NativeAOT check: publishes `llamagen` as one native executable from a clean build (any warning fails, the trimming and AOT Roslyn analyzers on: -p:LlamaGenTrimAnalyzers=true), converts
# stories260K with that binary, runs greedy generation from BOS and compares stdout byte for byte with llama2.c's
# reference_text in ../shared/fixtures/stories260K.golden.json. Then reports the binary's size and its start-up
# time (process start to first generated token, median of 5), and checks `llamagen serve` from the same binary
# (the golden text through /v1/completions). Ends with "aot-golden: N passed, N failed".
#
#   bash .ci/aot.sh                       # x64-v4 on an AVX-512 CPU, x64-v3 on an AVX2 CPU, native otherwise
#   AOT_PROFILE=x64-v3 bash .ci/aot.sh    # a given profile from samples/LlamaGen.Cli/Properties/PublishProfiles
#
# Needs the .NET SDK, a C toolchain for the native link (clang, or gcc as NativeAOT's fallback; objcopy for
# StripSymbols) and python3 (JSON and the timing harness).
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

fixtures=../shared/fixtures
work=$(mktemp -d "${TMPDIR:-/tmp}/llamagen-aot.XXXXXX")
trap 'rm -rf "$work"' EXIT

finish() { # $1 = passed (0/1)
    if [ "$1" = 1 ]; then echo "aot-golden: 1 passed, 0 failed"; exit 0; fi
    echo "aot-golden: 0 passed, 1 failed"
    exit 1
}

# The widest profile this CPU runs: a binary for x86-64-v4 stops at start-up on a CPU without AVX-512.
has_flags() {
    local flag
    for flag in "$@"; do
        grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | grep -qw "$flag" || return 1
    done
}
profile=${AOT_PROFILE:-}
if [ -z "$profile" ]; then
    if [ "$(uname -m)" != x86_64 ]; then profile=native
    elif has_flags avx512f avx512bw avx512cd avx512dq avx512vl; then profile=x64-v4
    elif has_flags avx2 fma bmi1 bmi2 movbe; then profile=x64-v3
    else profile=native
    fi
fi
[ -f "samples/LlamaGen.Cli/Properties/PublishProfiles/$profile.pubxml" ] || { echo "aot: no publish profile '$profile'" >&2; finish 0; }

# --artifacts-path builds every project afresh in the temp folder: each compiler and trimmer warning is printed
# (an incremental build would skip up-to-date projects silently) and the tree's bin/ and obj/ are left alone.
echo "aot: dotnet publish samples/LlamaGen.Cli -c Release -p:PublishProfile=$profile"
start=$(date +%s)
dotnet publish samples/LlamaGen.Cli -c Release -p:PublishProfile="$profile" -p:LlamaGenTrimAnalyzers=true -tl:off \
    --artifacts-path "$work/artifacts" -o "$work/bin" >"$work/publish.log" 2>&1
status=$?
echo "aot: publish took $(( $(date +%s) - start )) s"
# MSBuild's warning lines: "file(l,c): warning CS0219: ...", "ILC : Trim analysis warning IL2026: ...", "... : warning : text".
warnings=$(grep -E ': ([A-Za-z]+ )*warning( [A-Z]+[0-9]+)? ?:' "$work/publish.log" | sort -u)
if [ "$status" -ne 0 ]; then
    echo "aot: publish failed (exit $status):" >&2
    grep -E ': ([A-Za-z]+ )*error( [A-Z]+[0-9]+)? ?:' "$work/publish.log" | sort -u | head -40 >&2
    tail -20 "$work/publish.log" >&2
    finish 0
fi
if [ -n "$warnings" ]; then
    echo "aot: publish printed $(wc -l <<<"$warnings") warning(s); none are allowed. By code:" >&2
    grep -oE 'warning( [A-Z]+[0-9]+)?' <<<"$warnings" | sort | uniq -c | sort -rn >&2
    echo "aot: the first of each code:" >&2
    awk '{ match($0, /warning( [A-Z]+[0-9]+)?/); code = substr($0, RSTART, RLENGTH); if (!seen[code]++) print }' <<<"$warnings" >&2
    finish 0
fi

binary="$work/bin/llamagen"
[ -x "$binary" ] || binary="$work/bin/llamagen.exe"
[ -x "$binary" ] || { echo "aot: no executable in $work/bin: $(ls "$work/bin")" >&2; finish 0; }
echo "aot: $(basename "$binary") $(stat -c %s "$binary") bytes ($profile); beside it: $(cd "$work/bin" && ls | grep -vx "$(basename "$binary")" | tr '\n' ' ')"

"$binary" convert llama2c --model "$fixtures/stories260K.bin" --tokenizer "$fixtures/tok512.bin" \
    --output "$work/stories260K.gguf" >&2 || { echo "aot: convert failed" >&2; finish 0; }

# Compares stdout with reference_text, then times 5 more runs from the spawn of the process to the first byte of
# stdout (the CLI flushes after each token, and the first token of this story is "Once").
python3 - "$binary" "$work/stories260K.gguf" "$fixtures/stories260K.golden.json" <<'EOF' || finish 0
import json, os, statistics, subprocess, sys, time

binary, model, golden_path = sys.argv[1:4]
with open(golden_path, encoding="utf-8") as f:
    golden = json.load(f)
args = [binary, "generate", "--model", model, "--prompt", golden["prompt"], "--temperature", "0",
        "--max-tokens", str(golden["steps"])]

run = subprocess.run(args + ["--verbose"], capture_output=True)
sys.stderr.write(run.stderr.decode("utf-8", "replace"))
expected = golden["reference_text"].encode("utf-8")
if run.returncode != 0:
    print(f"aot: generate exited with {run.returncode}", file=sys.stderr)
    sys.exit(1)
if run.stdout != expected:
    at = next((i for i, (a, b) in enumerate(zip(run.stdout, expected)) if a != b), min(len(run.stdout), len(expected)))
    print(f"aot: stdout differs from reference_text at byte {at} ({len(run.stdout)} bytes, expected {len(expected)}):\n"
          f"  got      {run.stdout[max(0, at - 40):at + 40]!r}\n  expected {expected[max(0, at - 40):at + 40]!r}",
          file=sys.stderr)
    sys.exit(1)
print(f"aot: stdout equals reference_text ({len(expected)} bytes)")

def timed_run():
    begin = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    first = os.read(process.stdout.fileno(), 1)
    first_token = time.perf_counter() - begin
    rest = process.stdout.read()
    process.wait()
    total = time.perf_counter() - begin
    if process.returncode != 0 or first + rest != expected:
        raise SystemExit(f"aot: a timed run differs from reference_text (exit {process.returncode})")
    return first_token * 1000, total * 1000

runs = [timed_run() for _ in range(5)]
print("aot: start-up to first token, median of 5: %.1f ms (runs: %s); whole run (%d tokens): %.1f ms" % (
    statistics.median(r[0] for r in runs), " ".join("%.1f" % r[0] for r in runs), golden["steps"],
    statistics.median(r[1] for r in runs)))
EOF

# The server in the native binary (ASP.NET Core under NativeAOT): it listens, says ready on /health, and
# /v1/completions from BOS alone gives the same golden text; SIGTERM stops it with exit code 0.
python3 - "$binary" "$work/stories260K.gguf" "$fixtures/stories260K.golden.json" <<'EOF' || finish 0
import json, re, signal, subprocess, sys, time, urllib.request, urllib.error

binary, model, golden_path = sys.argv[1:4]
with open(golden_path, encoding="utf-8") as f:
    golden = json.load(f)
server = subprocess.Popen([binary, "serve", "--model", model, "--port", "0", "--threads", "1"], stderr=subprocess.PIPE, text=True)
try:
    line = server.stderr.readline()
    match = re.search(r"listening on (http://\S+/)", line)
    if not match:
        raise SystemExit(f"aot: serve did not say where it listens: {line!r}")
    url = match.group(1)
    for _ in range(200):
        try:
            with urllib.request.urlopen(url + "health") as response:
                if response.status == 200:
                    break
        except urllib.error.HTTPError as e:
            if e.code != 503:
                raise SystemExit(f"aot: /health answered {e.code}")
        time.sleep(0.05)
    else:
        raise SystemExit("aot: serve was not ready within 10 s")
    request = urllib.request.Request(url + "v1/completions", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"prompt": "", "temperature": 0, "max_tokens": golden["steps"]}).encode())
    with urllib.request.urlopen(request) as response:
        text = json.load(response)["choices"][0]["text"]
    if text != golden["reference_text"]:
        raise SystemExit(f"aot: serve's completion differs from reference_text: {text[:80]!r}")
    print("aot: serve answers /v1/completions with reference_text")
finally:
    server.send_signal(signal.SIGTERM)
    try:
        code = server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        raise SystemExit("aot: serve did not stop on SIGTERM")
if code != 0:
    raise SystemExit(f"aot: serve exited with {code} on SIGTERM")
EOF
finish 1
