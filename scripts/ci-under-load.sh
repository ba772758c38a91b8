#!/usr/bin/env bash
# What "tests that hold on a loaded machine" means here, as one command: CI on fresh clones of HEAD, RUNS times
# in a row (default 3), with two CPU-bound busy loops per core running beside it the whole time.
#   bash scripts/ci-under-load.sh [RUNS]
set -uo pipefail
runs=${1:-3}
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
loops=$(( $(nproc) * 2 ))
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done; }
trap cleanup EXIT
for _ in $(seq "$loops"); do
  timeout 7200 sh -c 'while :; do :; done' &
  pids+=($!)
done
echo "› $loops busy loops running; $runs CI runs on fresh clones of $(git -C "$repo" rev-parse --short HEAD)"
for run in $(seq "$runs"); do
  dir=$(mktemp -d)
  git clone -q "$repo" "$dir/clone"
  started=$(date +%s)
  if (cd "$dir/clone" && CI=true bash .ci/run > "$dir/ci.log" 2>&1); then
    echo "run $run: ok in $(( $(date +%s) - started )) s: $(tail -1 "$dir/ci.log")"
    rm -rf "$dir"
  else
    echo "run $run: FAILED after $(( $(date +%s) - started )) s (log: $dir/ci.log)"
    tail -40 "$dir/ci.log"
    exit 1
  fi
done
echo "all $runs runs passed under load"
