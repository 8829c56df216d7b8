#!/usr/bin/env bash
# Runs tests/LlamaGen.Runtime.Tests as linux-arm64 under qemu user-mode emulation, twice:
#   -cpu max         has FEAT_DotProd, so the NEON kernels use sdot (Dp.DotProduct);
#   -cpu cortex-a53  has no DotProd, so they take the smull + sadalp fallback.
# Prints one line per run, "arm64 (Dp): N passed, N failed" and "arm64 (no Dp): N passed, N failed", and exits
# non-zero if a test failed or a run crashed. NeonDispatchTests fail the run if NEON was not selected or if
# Dp.IsSupported differs from LLAMAGEN_EXPECT_DP, so a wrong emulated CPU cannot pass silently.
# Emulated timings are not benchmarks. Usage: .ci/arm64-tests.sh [--all] (--all: every test, see FILTER_DP below).
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

out=out/arm64-tests
exe=$out/LlamaGen.Runtime.Tests
logs=out/arm64-logs
mkdir -p "$logs"

# --- qemu and the arm64 libraries the self-contained runtime loads (libc, libstdc++, libssl) -----------------
if ! command -v qemu-aarch64-static >/dev/null \
   || [[ ! -e /usr/lib/aarch64-linux-gnu/libc.so.6 || ! -e /usr/lib/aarch64-linux-gnu/libstdc++.so.6 || ! -e /usr/lib/aarch64-linux-gnu/libssl.so.3 ]]; then
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "arm64-tests: installing qemu-user-static and arm64 libc6, libstdc++6, libssl3" >&2
  if ! { $sudo dpkg --add-architecture arm64 \
         && $sudo apt-get update -qq \
         && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq qemu-user-static libc6:arm64 libstdc++6:arm64 libssl3:arm64; } \
       >"$logs/apt.log" 2>&1; then
    tail -20 "$logs/apt.log" >&2
    echo "arm64-tests: installing qemu and the arm64 libraries failed (log: $logs/apt.log)" >&2
    exit 2
  fi
fi

# --- publish: a self-executing xunit.v3 exe, self-contained for linux-arm64 ---------------------------------
# --artifacts-path keeps the RID-specific restore and build out of the projects' own obj/ and bin/, so it never
# disturbs a concurrent or later x64 build of the same projects.
echo "arm64-tests: publishing tests/LlamaGen.Runtime.Tests for linux-arm64" >&2
if ! dotnet publish tests/LlamaGen.Runtime.Tests -c Release -r linux-arm64 --self-contained \
       -p:InvariantGlobalization=true --artifacts-path out/arm64-build -o "$out" >"$logs/publish.log" 2>&1; then
  grep -E "error|Error" "$logs/publish.log" | tail -20 >&2
  echo "arm64-tests: dotnet publish failed (log: $logs/publish.log)" >&2
  exit 2
fi

# --- which tests ---------------------------------------------------------------------------------------------
# The whole project takes ~12 minutes per emulated CPU here (it passes; run with --all), which alone would break CI's
# 15-minute budget, so by default the runs take the tests of the arm64 code paths. With DotProd (-cpu max): the
# generated kernels against the scalar reference over the (type, ISA, columns) grid (Kernels) and the models end to
# end on NEON (stories260K against llama2.c's golden output at every position). BatchedDecodeTests (16 sequences
# together equal each alone) took 404 s of the 548 s of this run under emulation, and their NEON-specific part is the
# kernels tested here, so they run on x64 only (for every ISA there); --all still runs them under qemu. Without
# DotProd (-cpu cortex-a53) only the integer kernels differ (smull + sadalp instead of sdot), so that run takes the
# Kernels namespace. GGUF parsing, conversion, tokenization, sampling and the generation loop have
# no ISA-specific code and run on x64 only. Wall-clock assertions are excluded: emulation is far slower than hardware.
# xunit.v3 ANDs simple filters of different kinds (-namespace with -class selects nothing) and ORs query filters.
FILTER_DP=(
  -filter "/*/LlamaGen.Runtime.Tests.Kernels/*/*"
  -filter "/*/LlamaGen.Runtime.Tests.Models/Stories260KModelTests/*"
)
FILTER_NO_DP=(-filter "/*/LlamaGen.Runtime.Tests.Kernels/*/*")
if [[ "${1:-}" == "--all" ]]; then
  FILTER_DP=(-method- "*.EncodingA4KilobytePromptIsFast"); FILTER_NO_DP=("${FILTER_DP[@]}")
fi

# --- run -----------------------------------------------------------------------------------------------------
# DOTNET_EnableWriteXorExecute=0: with W^X the runtime writes JIT'd code and stubs through a second, writable
# mapping of the executable pages; qemu-user does not see those writes as code changes and can run stale
# translations (seen here as NullReferenceExceptions inside reflection invoke stubs during test discovery).
status=0
run() { # label, cpu, expect-dp, filter...
  local label=$1 cpu=$2 dp=$3 log="$logs/$2.log" start end rc
  shift 3
  start=$(date +%s)
  DOTNET_EnableWriteXorExecute=0 LLAMAGEN_EXPECT_DP=$dp \
    timeout 1800 qemu-aarch64-static -cpu "$cpu" "$exe" -noColor -noLogo "$@" >"$log" 2>&1
  rc=$?
  end=$(date +%s)
  # xunit.v3's summary: "   LlamaGen.Runtime.Tests  Total: 254, Errors: 0, Failed: 1, Skipped: 1, Not Run: 0, Time: 306.315s"
  local summary total errors failed skipped notrun passed
  summary=$(grep -E '^\s*LlamaGen\.Runtime\.Tests\s+Total: [0-9]+' "$log" | tail -1)
  if [[ -z "$summary" ]]; then
    tail -30 "$log" >&2
    echo "arm64-tests: the $label run (qemu -cpu $cpu) crashed or hung: exit code $rc, no test summary (log: $log)" >&2
    echo "arm64 ($label): 0 passed, 1 failed"
    return 1
  fi
  field() { sed -nE "s/.*$1: ([0-9]+).*/\\1/p" <<<"$summary"; }
  total=$(field Total); errors=$(field Errors); failed=$(field Failed); skipped=$(field Skipped); notrun=$(field 'Not Run')
  errors=${errors:-0}; failed=${failed:-0}; skipped=${skipped:-0}; notrun=${notrun:-0}
  passed=$((total - failed - skipped - notrun))
  failed=$((failed + errors)) # cleanup/catastrophic errors count as failures
  if (( total == 0 )); then failed=$((failed > 0 ? failed : 1)); fi
  grep -E '\[FAIL\]' "$log" | sed "s/^/arm64 ($label) /" >&2
  echo "arm64-tests: $label (qemu -cpu $cpu): $total tests in $((end - start)) s wall clock (log: $log)" >&2
  echo "arm64 ($label): $passed passed, $failed failed"
  (( failed == 0 && rc == 0 ))
}
# The two emulated CPUs run side by side: each run is partly serial (start-up, JIT under emulation), so together
# they finish sooner than one after the other. Each writes its lines to its own file; they are printed in order.
run "Dp" max 1 "${FILTER_DP[@]}" >"$logs/dp.out" 2>&1 &
dp_pid=$!
run "no Dp" cortex-a53 0 "${FILTER_NO_DP[@]}" >"$logs/no-dp.out" 2>&1 &
no_dp_pid=$!
wait "$dp_pid" || status=1
wait "$no_dp_pid" || status=1
cat "$logs/dp.out" "$logs/no-dp.out"
grep -q " 0 failed$" "$logs/dp.out" && grep -q " 0 failed$" "$logs/no-dp.out" || status=1
exit "$status"
