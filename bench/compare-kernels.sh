#!/usr/bin/env bash
# Before/after kernel benchmark in one BenchmarkDotNet run: compiles the Llama 2 7B kernels of an earlier commit (from
# that commit's generator snapshots, which hold the complete generated code) into bench/LlamaGen.Bench as
# LlamaGen.Bench.Baseline.Llama2_7bBefore, then runs MatVecBenchmarks and KQuantMatVecBenchmarks with both builds
# ("now" and "before") as a parameter, and prints the ratio of their medians per case.
#
#   bash bench/compare-kernels.sh [BASELINE_COMMIT] [-- extra BenchmarkDotNet arguments]
#   BASELINE_COMMIT defaults to fe696bf (the last commit before the generator's round 2).
# The baseline sources land in bench/LlamaGen.Bench/obj/baseline (ignored by git) and are removed afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
commit=${1:-fe696bf}
shift || true
[ "${1:-}" = "--" ] && shift
extra=("$@")
baseline=bench/LlamaGen.Bench/obj/baseline
snapshots=tests/LlamaGen.Generator.Tests/Snapshots/llama2-7b
mkdir -p "$baseline"
trap 'rm -rf "$baseline"' EXIT
for isa in Scalar Vector128 Avx2 Avx512; do
    git show "$commit:$snapshots/Models.Llama2_7b.Kernels.$isa.g.verified.cs" \
        | sed -e 's/^namespace Models;/namespace LlamaGen.Bench.Baseline;/' \
              -e 's/^public unsafe partial class Llama2_7b$/public static unsafe partial class Llama2_7bBefore/' \
              -e '/^using LlamaGen.Inference;$/d' \
        > "$baseline/Llama2_7bBefore.Kernels.$isa.g.cs"
done
echo "compare-kernels: baseline kernels of $commit in $baseline ($(cat "$baseline"/*.cs | wc -c) bytes)"
dotnet run -c Release --project bench/LlamaGen.Bench -- --filter '*MatVecBenchmarks*' --join "${extra[@]}"
report=$(ls -t BenchmarkDotNet.Artifacts/results/*-report.csv | head -1)
python3 bench/kernel-ratios.py "$report"
