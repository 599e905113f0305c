#!/usr/bin/env bash
# What a generated crate is made of, by construct: lines, and the share of the compiler's time
# (rustc's `-Z self-profile`, through RUSTC_BOOTSTRAP on the stable toolchain), for a crate built
# as cargo builds it by default (dev profile, incremental).
#
# Usage: scripts/compile-profile.sh [MODEL] [generate options...]
#   default: the published AmplifyBackend model, every operation
#   e.g.     scripts/compile-profile.sh ../shared/models/aws-2026/s3.json --operation GetObject
# Writes under target/compile-profile/; prints a Markdown table. With BY_QUERY set, also prints
# (on stderr) the queries that took longest, with seconds; BY_QUERY=construct keeps to the
# queries of the constructs whose name contains it (BY_QUERY=schemas, BY_QUERY="other analysis").
# With BY_KEY set to a query's name, also prints what that query was asked about, longest first
# (BY_KEY=specialization_graph_of gives the traits whose impls it took longest to order).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODEL=${1:-$ROOT/../shared/models/aws/amplifybackend-2020-08-11.json}
shift || true
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$TARGET/compile-profile
if [ ! -f "$MODEL" ]; then
    echo "error: $MODEL is missing (the default model is in ../shared)" >&2
    exit 1
fi
cargo build --release --quiet -p smithy-codegen
cargo build --release --quiet --manifest-path scripts/compile-profile/Cargo.toml --target-dir "$TARGET/compile-profile-tool"
mkdir -p "$WORK"
rm -rf "$WORK/crate" "$WORK/profile"
"$TARGET/release/smithy-codegen" generate --model "$MODEL" --out "$WORK/crate" --crate profiled "$@" \
    --runtime-path "$ROOT/runtime" 2>/dev/null
printf '%s\n' '[workspace]' 'resolver = "2"' 'members = ["crate"]' > "$WORK/Cargo.toml"
unset CARGO_INCREMENTAL
(
    cd "$WORK"
    export CARGO_TARGET_DIR=$WORK/target RUSTC_BOOTSTRAP=1
    cargo build --quiet -p profiled
    cargo clean --quiet -p profiled
    cargo rustc --quiet -p profiled -- -Z self-profile="$WORK/profile" -Z self-profile-events=default,args
)
stem=$(ls "$WORK"/profile/*.mm_profdata | head -n 1)
"$TARGET/compile-profile-tool/release/compile-profile" "$WORK/crate/src" "${stem%.mm_profdata}" profiled
