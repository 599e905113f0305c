#!/usr/bin/env bash
# Side-by-side measurements of generated crates against the official AWS SDK crate, in one run on
# one machine (these machines are noisy, so compare the ratios):
#
#   1. compile time: the full AmplifyBackend crate (31 operations) and the GetBackendAuth-only
#      crate, generated from the published model, against `aws-sdk-amplifybackend` 1.120.0 from
#      the registry. Dependencies are built first; then each crate alone is rebuilt ROUNDS times
#      (`cargo clean -p` then `cargo build`, and the same with `cargo check`), rounds interleaved,
#      incremental compilation off for all (a registry crate never builds incrementally), and the
#      medians are printed with the ratios.
#   2. a GetBackendAuth call through an in-memory transport, ours against the SDK with its HTTP
#      client replaced by an in-memory one: build the input, serialize, answer with the full
#      response, parse. Nanoseconds per call, median of several runs. Both sign their requests
#      with SigV4 and take the endpoint from the region through the endpoint rules; ours is also
#      measured unsigned with the endpoint given.
#
# Generation speed is a criterion benchmark: `cargo bench -p smithy-codegen --bench generate`.
#
# Usage: scripts/bench.sh            (ROUNDS=5 scripts/bench.sh for more rounds)
# Needs ../shared (the published model) and the crate registry; writes under target/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ROUNDS=${ROUNDS:-3}
MODEL=../shared/models/aws/amplifybackend-2020-08-11.json
BENCH=$ROOT/target/bench
SDK_VERSION=1.120.0

if [ ! -f "$MODEL" ]; then
    echo "error: $MODEL is missing: the benchmark needs ../shared" >&2
    exit 1
fi

cargo build --release --quiet -p smithy-codegen
CODEGEN=$ROOT/target/release/smithy-codegen
mkdir -p "$BENCH"
"$CODEGEN" generate --model "$MODEL" --out "$BENCH/full" --crate amplifybackend-full --runtime-path "$ROOT/runtime" 2>/dev/null
"$CODEGEN" generate --model "$MODEL" --out "$BENCH/one" --crate amplifybackend-one --operation GetBackendAuth \
    --runtime-path "$ROOT/runtime" 2>/dev/null

mkdir -p "$BENCH/sdk/src" "$BENCH/percall/src"
cat > "$BENCH/Cargo.toml" <<EOF
# Written by scripts/bench.sh.
[workspace]
resolver = "2"
members = ["full", "one", "sdk", "percall"]

[profile.release]
debug = false
EOF
cat > "$BENCH/sdk/Cargo.toml" <<EOF
[package]
name = "sdk-anchor"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
aws-sdk-amplifybackend = "=$SDK_VERSION"
EOF
echo "" > "$BENCH/sdk/src/lib.rs"
cat > "$BENCH/percall/Cargo.toml" <<EOF
[package]
name = "percall"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
amplifybackend-one = { path = "../one" }
smithy-runtime = { path = "$ROOT/runtime" }
aws-sdk-amplifybackend = "=$SDK_VERSION"
aws-smithy-http-client = { version = "1", features = ["test-util"] }
http = "1"
tokio = { version = "1", features = ["rt"] }
EOF
cp "$ROOT/scripts/bench/percall.rs" "$BENCH/percall/src/main.rs"
cp "$ROOT/tests/fixtures/get_backend_auth_response.json" "$BENCH/percall/response.json"

cd "$BENCH"
export CARGO_INCREMENTAL=0
echo "building the dependencies (once)..."
# Each crate alone, as it is timed below: features of shared dependencies are unified only over
# the packages selected, so a workspace-wide build would leave different dependency builds.
for package in aws-sdk-amplifybackend amplifybackend-full amplifybackend-one; do
    cargo build --quiet -p "$package"
    cargo check --quiet -p "$package"
done

now() { date +%s.%N; }
# time_one COMMAND PACKAGE: seconds to rebuild PACKAGE alone with `cargo COMMAND`.
time_one() {
    cargo clean --quiet -p "$2"
    local start end
    start=$(now)
    cargo "$1" --quiet -p "$2"
    end=$(now)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

declare -A samples
for command in build check; do
    for round in $(seq "$ROUNDS"); do
        for package in aws-sdk-amplifybackend amplifybackend-full amplifybackend-one; do
            samples[$command.$package]+="$(time_one "$command" "$package") "
        done
        echo "  $command round $round of $ROUNDS done"
    done
done

lines() { find "$1" -name '*.rs' -print0 | xargs -0 cat | wc -l; }
sdk_dir=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/aws-sdk-amplifybackend-$SDK_VERSION | head -n 1)/src

echo
echo "## Compile time (median of $ROUNDS, CARGO_INCREMENTAL=0, dependencies built)"
echo
printf '| crate | lines | build s | check s | build ratio | check ratio |\n|---|---:|---:|---:|---:|---:|\n'
sdk_build=$(echo "${samples[build.aws-sdk-amplifybackend]}" | tr ' ' '\n' | grep . | median)
sdk_check=$(echo "${samples[check.aws-sdk-amplifybackend]}" | tr ' ' '\n' | grep . | median)
for package in aws-sdk-amplifybackend amplifybackend-full amplifybackend-one; do
    build=$(echo "${samples[build.$package]}" | tr ' ' '\n' | grep . | median)
    check=$(echo "${samples[check.$package]}" | tr ' ' '\n' | grep . | median)
    case $package in
        aws-sdk-amplifybackend) dir=$sdk_dir ;;
        amplifybackend-full) dir=$BENCH/full/src ;;
        amplifybackend-one) dir=$BENCH/one/src ;;
    esac
    printf '| %s | %s | %.2f | %.2f | %s× | %s× |\n' "$package" "$(lines "$dir")" "$build" "$check" \
        "$(ratio "$sdk_build" "$build")" "$(ratio "$sdk_check" "$check")"
done
echo
echo "Samples (seconds):"
for key in "${!samples[@]}"; do echo "  $key: ${samples[$key]}"; done | sort

echo
echo "## GetBackendAuth through an in-memory transport (release build)"
echo
cargo build --quiet --release -p percall
cargo run --quiet --release -p percall -- "$BENCH/percall/response.json"
