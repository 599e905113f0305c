#!/usr/bin/env bash
# Events per second through an event stream, side by side with `aws-sdk-bedrockruntime`, in one
# run on one machine (compare the ratios): a Bedrock Runtime ConverseStream whose response
# carries EVENTS contentBlockDelta events (default 200,000) over loopback HTTP/1.1, each client
# reading every event (scripts/bench/events.rs, release build, one process per client and run).
#
# Usage: scripts/bench-events.sh     (EVENTS=1000000 for more events)
# Needs ../shared and the crate registry; writes under target/bench-events/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODEL=$ROOT/../shared/models/aws-2026/bedrock-runtime.json
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BENCH=$TARGET/bench-events
SDK_VERSION=${SDK_VERSION:-1}

if [ ! -f "$MODEL" ]; then
    echo "error: $MODEL is missing: the benchmark needs ../shared" >&2
    exit 1
fi

cargo build --release --quiet -p smithy-codegen
CODEGEN=$TARGET/release/smithy-codegen
mkdir -p "$BENCH/events/src"
rm -rf "$BENCH/bedrock"
"$CODEGEN" generate --model "$MODEL" --out "$BENCH/bedrock" --crate bench-bedrock --operation ConverseStream \
    --runtime-path "$ROOT/runtime" 2>/dev/null
printf '%s\n' '# Written by scripts/bench-events.sh.' '[workspace]' 'resolver = "2"' \
    'members = ["bedrock", "events"]' '' '[profile.release]' 'debug = false' > "$BENCH/Cargo.toml"
printf '%s\n' '[package]' 'name = "events"' 'version = "0.0.0"' 'edition = "2021"' 'publish = false' '' \
    '[dependencies]' 'bench-bedrock = { path = "../bedrock" }' \
    "smithy-runtime = { path = \"$ROOT/runtime\", features = [\"hyper-client\"] }" \
    "aws-sdk-bedrockruntime = \"$SDK_VERSION\"" \
    'tokio = { version = "1", features = ["rt-multi-thread", "net", "io-util", "time"] }' > "$BENCH/events/Cargo.toml"
cp "$ROOT/scripts/bench/events.rs" "$BENCH/events/src/main.rs"

cd "$BENCH"
cargo build --quiet --release -p events
sdk_version=$(cargo pkgid -p aws-sdk-bedrockruntime | sed 's/.*@//')
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
runs=$(for round in 1 2 3; do
    for client in sdk ours; do
        "${CARGO_TARGET_DIR:-$BENCH/target}/release/events" "$client"
    done
done)
echo "## ConverseStream events per second over loopback HTTP/1.1 (release build, one process per client)"
echo
printf '| client | events | events/s | peak memory MiB |\n|---|---:|---:|---:|\n'
for client in sdk ours; do
    mine=$(echo "$runs" | awk -v client="$client" '$1 == client')
    case $client in
        sdk) name="aws-sdk-bedrockruntime $sdk_version" ;;
        ours) name="smithy-codegen (hyper transport)" ;;
    esac
    printf '| %s | %s | %s | %s |\n' "$name" "$(echo "$mine" | awk 'NR == 1 { print $2 }')" \
        "$(echo "$mine" | awk '{ print $3 }' | median)" "$(echo "$mine" | awk '{ print $4 }' | median)"
done
echo
echo "(medians of 3 runs each, clients taking turns)"
