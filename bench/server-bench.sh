#!/usr/bin/env bash
# llamagen serve under concurrent streaming clients (bench/LlamaGen.ServerBench), and the server's peak memory.
#   bash bench/server-bench.sh MODEL.gguf [THREADS=2] [STREAMS=1,2,4,8,16] [TOKENS=32] [PARALLEL=16] [CTX=512]
# Builds nothing: build samples/LlamaGen.Cli and bench/LlamaGen.ServerBench (Release) first.
# Prints the load generator's table, then the server's peak resident memory (VmHWM) and the model file's size.
set -euo pipefail
cd "$(dirname "$0")/.."
model=$1 threads=${2:-2} streams=${3:-1,2,4,8,16} tokens=${4:-32} parallel=${5:-16} ctx=${6:-512}
port=18555
dotnet samples/LlamaGen.Cli/bin/Release/net10.0/llamagen.dll serve --model "$model" --threads "$threads" \
    --parallel "$parallel" --ctx-size "$ctx" --queue 64 --port "$port" --alias bench >/tmp/server-bench.log 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { echo "server-bench: the server exited; log: /tmp/server-bench.log" >&2; exit 1; }
  sleep 0.5
done
echo "server-bench: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); llamagen serve --threads $threads --parallel $parallel --ctx-size $ctx"
dotnet bench/LlamaGen.ServerBench/bin/Release/net10.0/LlamaGen.ServerBench.dll --url "http://127.0.0.1:$port/" \
    --streams "$streams" --tokens "$tokens"
echo "server-bench: server peak RSS (VmHWM) $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' /proc/$server/status);" \
     "model file $(( $(stat -c %s "$model") / 1048576 )) MiB; load after $(cut -d' ' -f1-3 /proc/loadavg)"
