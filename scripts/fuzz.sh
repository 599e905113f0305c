#!/usr/bin/env bash
# Fuzzes the generator for a bounded time: scripts/fuzz.sh [SECONDS] [TARGET] (default 300 s, every
# target in turn: generate, idl, json).
# Seeds: the models of ../shared (JSON), the IDL loader tests of ../shared/idl-tests, model/ and
# tests/models/ (copied under target/, not the repo).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
targets="${2:-generate idl json}"
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
shared=../shared
[ -d "$shared" ] || echo "WARNING: $shared is missing; seeding with this repository's models only" >&2
for target in $targets; do
    corpus=target/fuzz-corpus/$target
    mkdir -p "$corpus"
    case "$target" in
        idl)
            [ -d "$shared/idl-tests" ] && find "$shared/idl-tests" -name '*.smithy' -exec cp {} "$corpus"/ \;
            cp model/*.smithy "$corpus"/
            ;;
        *)
            if [ -d "$shared" ]; then
                cp "$shared"/models/aws/*.json "$shared"/models/aws-popular/*.json "$corpus"/ 2>/dev/null || true
                cp "$shared"/protocol-tests/aws-protocol-tests.json "$corpus"/
                [ "$target" = json ] && find "$shared/idl-tests" -name '*.json' -exec cp {} "$corpus"/ \;
            fi
            cp model/*.json tests/models/*.json "$corpus"/
            ;;
    esac
    echo "==> fuzzing $target for $seconds s"
    # -rss_limit_mb: the largest seeds are a few MB of JSON; -timeout flags any input that takes
    # more than 20 s as a hang.
    (cd fuzz && cargo +nightly fuzz run "$target" "../$corpus" -- \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=8000000 -print_final_stats=1)
done
