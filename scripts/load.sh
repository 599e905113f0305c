#!/usr/bin/env bash
# The load test, optimised: 10,000 calls of the generated client to the generated server over
# 50 loopback connections. Prints the throughput, p50/p99 latency and the errors.
# Usage: scripts/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release -p smithy-codegen-tests --test load -- --nocapture 2>&1 | grep -E '^load:|test result'
