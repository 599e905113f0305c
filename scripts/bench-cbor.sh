#!/usr/bin/env bash
# rpcv2Cbor against awsJson1_0 and against aws-sdk-cloudwatch, in one run on one machine (compare
# the ratios). CloudWatch's model of 2025 (awsQuery) is given each protocol trait in turn, with
# awsQueryCompatible as CloudWatch has it since its move to CBOR, and its GetMetricData alone is
# generated twice: `cw-cbor` and `cw-json`. scripts/bench/cbor.rs then measures, release build:
#   - one GetMetricData call whose answer holds RESULTS metrics of POINTS data points each, and
#     one ListMetrics call whose answer lists METRICS metrics (names and dimensions: text),
#     signed with SigV4, the endpoint from CloudWatch's rules, through an in-memory transport:
#     ours over rpcv2Cbor, ours over awsJson1_0, and aws-sdk-cloudwatch (which speaks rpcv2Cbor);
#   - the codecs alone on the same output: writing it and reading it back, CBOR against JSON.
#
# Usage: scripts/bench-cbor.sh     (RESULTS=10 POINTS=1000 by default)
# Needs ../shared and the crate registry; writes under target/bench-cbor/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODEL=$ROOT/../shared/models/aws-popular/cloudwatch-2010-08-01.json
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BENCH=$TARGET/bench-cbor
SDK_VERSION=${SDK_VERSION:-1}

if [ ! -f "$MODEL" ]; then
    echo "error: $MODEL is missing: the benchmark needs ../shared" >&2
    exit 1
fi

cargo build --release --quiet -p smithy-codegen
CODEGEN=$TARGET/release/smithy-codegen
mkdir -p "$BENCH/cbor/src"
for protocol in cbor json; do
    python3 - "$MODEL" "$BENCH/cloudwatch-$protocol.json" "$protocol" <<'PY'
import json, sys
model = json.load(open(sys.argv[1]))
trait = {"cbor": "smithy.protocols#rpcv2Cbor", "json": "aws.protocols#awsJson1_0"}[sys.argv[3]]
for shape in model["shapes"].values():
    traits = shape.get("traits", {})
    if shape["type"] == "service" and "aws.protocols#awsQuery" in traits:
        del traits["aws.protocols#awsQuery"]
        traits[trait] = {}
        traits["aws.protocols#awsQueryCompatible"] = {}
json.dump(model, open(sys.argv[2], "w"))
PY
    rm -rf "$BENCH/cw-$protocol"
    "$CODEGEN" generate --model "$BENCH/cloudwatch-$protocol.json" --out "$BENCH/cw-$protocol" \
        --crate "cw-$protocol" --operation GetMetricData --operation ListMetrics --runtime-path "$ROOT/runtime" >/dev/null
done
printf '%s\n' '# Written by scripts/bench-cbor.sh.' '[workspace]' 'resolver = "2"' \
    'members = ["cw-cbor", "cw-json", "cbor"]' '' '[profile.release]' 'debug = false' > "$BENCH/Cargo.toml"
printf '%s\n' '[package]' 'name = "cbor"' 'version = "0.0.0"' 'edition = "2021"' 'publish = false' '' \
    '[dependencies]' 'cw-cbor = { path = "../cw-cbor" }' 'cw-json = { path = "../cw-json" }' \
    "smithy-runtime = { path = \"$ROOT/runtime\" }" \
    "aws-sdk-cloudwatch = \"$SDK_VERSION\"" \
    'aws-smithy-http-client = { version = "1", features = ["test-util"] }' \
    'http = "1"' \
    'tokio = { version = "1", features = ["rt"] }' > "$BENCH/cbor/Cargo.toml"
cp "$ROOT/scripts/bench/cbor.rs" "$BENCH/cbor/src/main.rs"

cd "$BENCH"
cargo build --quiet --release -p cbor
sdk_version=$(cargo pkgid -p aws-sdk-cloudwatch | sed 's/.*@//')
echo "aws-sdk-cloudwatch $sdk_version"
"${CARGO_TARGET_DIR:-$BENCH/target}/release/cbor"
