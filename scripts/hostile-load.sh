#!/usr/bin/env bash
# The ready server's memory under a hostile load: the generated Catalog server (release build,
# Limits::default() with 1,100 connections) in one process, and in another 1,000 slow readers
# of 1 MiB answers, 4 bodies gzipped 1,250 times and 4 bodies of a 10 MiB list of empty
# strings (tests/catalog/examples/hostile_load.rs). Prints what each got and the server's peak
# resident memory (VmHWM). Needs Linux (/proc) and an open-file limit above 2,300.
# Usage: scripts/hostile-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p catalog --example hostile_load
target="${CARGO_TARGET_DIR:-target}"
bin="$target/release/examples/hostile_load"
port_file="$(mktemp)"
"$bin" server "$port_file" &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$port_file"' EXIT
for _ in $(seq 100); do
  [ -s "$port_file" ] && break
  sleep 0.1
done
"$bin" load "$(cat "$port_file")"
if kill -0 "$server" 2>/dev/null; then
  echo "server: still running"
else
  wait "$server" && status=0 || status=$?
  echo "server: exited with status $status"
fi
