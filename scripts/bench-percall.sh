#!/usr/bin/env bash
# Per call, signed, in memory, on the protocols other scripts do not cover, against the official
# crates in one run on one machine (compare the ratios):
#
#   DynamoDB GetItem (awsJson1_0) and STS AssumeRole (awsQuery), each crate generated for that
#   one operation from ../shared/models/aws-2026, against aws-sdk-dynamodb and aws-sdk-sts with
#   an in-memory HTTP client (scripts/bench/protocols_percall.rs, release build).
#
# GetBackendAuth (restJson1) is in scripts/bench.sh, ListObjectsV2 (restXml) in
# scripts/bench-s3.sh, rpcv2Cbor in scripts/bench-cbor.sh.
#
# Usage: scripts/bench-percall.sh
# Needs ../shared and the crate registry; writes under target/bench-percall/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
MODELS=$ROOT/../shared/models/aws-2026
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BENCH=$TARGET/bench-percall
DYNAMODB_VERSION=1.136.0
STS_VERSION=1.124.0

for model in dynamodb sts; do
    if [ ! -f "$MODELS/$model.json" ]; then
        echo "error: $MODELS/$model.json is missing: the benchmark needs ../shared" >&2
        exit 1
    fi
done

cargo build --release --quiet -p smithy-codegen
CODEGEN=$TARGET/release/smithy-codegen
mkdir -p "$BENCH/percall/src"
rm -rf "$BENCH/dynamodb" "$BENCH/sts"
"$CODEGEN" generate --model "$MODELS/dynamodb.json" --out "$BENCH/dynamodb" --crate dynamodb-getitem \
    --operation GetItem --runtime-path "$ROOT/runtime" 2>/dev/null
"$CODEGEN" generate --model "$MODELS/sts.json" --out "$BENCH/sts" --crate sts-assumerole \
    --operation AssumeRole --runtime-path "$ROOT/runtime" 2>/dev/null
printf '%s\n' '# Written by scripts/bench-percall.sh.' '[workspace]' 'resolver = "2"' \
    'members = ["dynamodb", "sts", "percall"]' '' '[profile.release]' 'debug = false' > "$BENCH/Cargo.toml"
printf '%s\n' '[package]' 'name = "percall"' 'version = "0.0.0"' 'edition = "2021"' 'publish = false' '' \
    '[dependencies]' 'dynamodb-getitem = { path = "../dynamodb" }' 'sts-assumerole = { path = "../sts" }' \
    "smithy-runtime = { path = \"$ROOT/runtime\" }" \
    "aws-sdk-dynamodb = \"=$DYNAMODB_VERSION\"" "aws-sdk-sts = \"=$STS_VERSION\"" \
    'aws-credential-types = "1"' 'aws-smithy-http-client = { version = "1", features = ["test-util"] }' \
    'http = "1"' 'tokio = { version = "1", features = ["rt"] }' > "$BENCH/percall/Cargo.toml"
cp "$ROOT/scripts/bench/protocols_percall.rs" "$BENCH/percall/src/main.rs"

cd "$BENCH"
echo
echo "## DynamoDB GetItem and STS AssumeRole through an in-memory transport (release build)"
echo
cargo build --quiet --release -p percall
"${CARGO_TARGET_DIR:-$BENCH/target}/release/percall"
