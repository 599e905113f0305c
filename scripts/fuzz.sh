#!/usr/bin/env bash
# Fuzzes the generator for a bounded time: scripts/fuzz.sh [SECONDS] (default 300).
# Seeds: the models of ../shared, model/ and tests/models/ (copied under target/, not the repo).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
corpus=target/fuzz-corpus/generate
mkdir -p "$corpus"
shared=../shared
if [ -d "$shared" ]; then
    cp "$shared"/models/aws/*.json "$shared"/models/aws-popular/*.json "$corpus"/ 2>/dev/null || true
    cp "$shared"/protocol-tests/aws-protocol-tests.json "$corpus"/
else
    echo "WARNING: $shared is missing; seeding with this repository's models only" >&2
fi
cp model/*.json tests/models/*.json "$corpus"/
cd fuzz
# -rss_limit_mb: the largest seeds are a few MB of JSON; -timeout flags any input that takes
# more than 20 s as a hang.
cargo +nightly fuzz run generate "../$corpus" -- \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=8000000 -print_final_stats=1
