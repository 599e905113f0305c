#!/usr/bin/env bash
# S3 side by side with the official `aws-sdk-s3`, in one run on one machine (compare the ratios):
#
#   1. a ListObjectsV2 call whose response lists 1,000 keys (about 300 KB of XML), signed, through
#      an in-memory transport, ours against the SDK (scripts/bench/s3_percall.rs, release build).
#   2. a GetObject of a large object (DOWNLOAD_BYTES, default 1 GiB) over loopback HTTP/1.1, read
#      piece by piece, and a PutObject of a file of that size, streamed from disk with a trailing
#      CRC64NVME checksum: throughput
#      and each client's peak memory, one process per client and direction, the server in a child
#      process (scripts/bench/s3_download.rs, release build, one binary per client).
#
# Usage: scripts/bench-s3.sh     (ROUNDS=5 for more rounds; PARTS="percall" for one part)
# Needs ../shared and the crate registry; writes under target/bench-s3/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ROUNDS=${ROUNDS:-3}
PARTS=${PARTS:-percall download}
MODEL=$ROOT/../shared/models/aws-2026/s3.json
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BENCH=$TARGET/bench-s3
SDK_VERSION=1.157.0
part() { [[ " $PARTS " == *" $1 "* ]]; }

if [ ! -f "$MODEL" ]; then
    echo "error: $MODEL is missing: the benchmark needs ../shared" >&2
    exit 1
fi

cargo build --release --quiet -p smithy-codegen
CODEGEN=$TARGET/release/smithy-codegen
mkdir -p "$BENCH"
rm -rf "$BENCH/full" "$BENCH/three"
"$CODEGEN" generate --model "$MODEL" --out "$BENCH/full" --crate s3-full --runtime-path "$ROOT/runtime" 2>/dev/null
"$CODEGEN" generate --model "$MODEL" --out "$BENCH/three" --crate s3-three --operation GetObject \
    --operation PutObject --operation ListObjectsV2 --runtime-path "$ROOT/runtime" 2>/dev/null

mkdir -p "$BENCH/sdk/src" "$BENCH/percall/src"
printf '%s\n' '# Written by scripts/bench-s3.sh.' '[workspace]' 'resolver = "2"' \
    'members = ["full", "three", "sdk", "percall", "download-ours", "download-sdk"]' '' '[profile.release]' 'debug = false' > "$BENCH/Cargo.toml"
printf '%s\n' '[package]' 'name = "sdk-anchor"' 'version = "0.0.0"' 'edition = "2021"' 'publish = false' '' \
    '[dependencies]' "aws-sdk-s3 = \"=$SDK_VERSION\"" > "$BENCH/sdk/Cargo.toml"
echo "" > "$BENCH/sdk/src/lib.rs"
printf '%s\n' '[package]' 'name = "percall"' 'version = "0.0.0"' 'edition = "2021"' 'publish = false' '' \
    '[dependencies]' 's3-three = { path = "../three" }' "smithy-runtime = { path = \"$ROOT/runtime\" }" \
    "aws-sdk-s3 = \"=$SDK_VERSION\"" 'aws-smithy-http-client = { version = "1", features = ["test-util"] }' \
    'http = "1"' 'tokio = { version = "1", features = ["rt"] }' > "$BENCH/percall/Cargo.toml"
cp "$ROOT/scripts/bench/s3_percall.rs" "$BENCH/percall/src/main.rs"
# The download benchmark twice, each binary linking one client only, as a user's would.
rm -rf "$BENCH/download"
for client in ours sdk; do
    mkdir -p "$BENCH/download-$client/src"
    case $client in
        ours) deps=('s3-three = { path = "../three" }'
                    "smithy-runtime = { path = \"$ROOT/runtime\", features = [\"hyper-client\"] }") ;;
        sdk) deps=("aws-sdk-s3 = \"=$SDK_VERSION\"") ;;
    esac
    printf '%s\n' '[package]' "name = \"download-$client\"" 'version = "0.0.0"' 'edition = "2021"' 'publish = false' '' \
        '[features]' "default = [\"$client\"]" 'ours = []' 'sdk = []' '' '[dependencies]' "${deps[@]}" \
        'tokio = { version = "1", features = ["rt-multi-thread", "net", "io-util", "io-std"] }' > "$BENCH/download-$client/Cargo.toml"
    cp "$ROOT/scripts/bench/s3_download.rs" "$BENCH/download-$client/src/main.rs"
done

cd "$BENCH"
cargo fetch --quiet

now() { date +%s.%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

if part percall; then
    echo
    echo "## ListObjectsV2 of 1,000 keys through an in-memory transport (release build)"
    echo
    cargo build --quiet --release -p percall
    cargo run --quiet --release -p percall
fi

if part download; then
    echo
    echo "## GetObject and PutObject of a large object over loopback HTTP/1.1 (release build, one process per client)"
    echo
    # One build each: built together, cargo would unify the features of their shared
    # dependencies (the SDK's turn on hyper's HTTP/2), and each binary would carry the other's.
    cargo build --quiet --release -p download-ours
    cargo build --quiet --release -p download-sdk
    runs=$(for round in $(seq "$ROUNDS"); do
        for direction in get put; do
            for client in sdk ours; do
                "${CARGO_TARGET_DIR:-$BENCH/target}/release/download-$client" "$direction"
            done
        done
    done)
    printf '| client | bytes | MB/s | peak resident MiB | peak heap KiB | CPU s per GiB |\n|---|---:|---:|---:|---:|---:|\n'
    for client in sdk-get ours-get sdk-put ours-put; do
        mine=$(echo "$runs" | awk -v client="$client" '$1 == client')
        case $client in
            sdk-get) name="GetObject, aws-sdk-s3 $SDK_VERSION" ;;
            ours-get) name="GetObject, smithy-codegen (hyper transport)" ;;
            sdk-put) name="PutObject of a file, aws-sdk-s3 $SDK_VERSION" ;;
            ours-put) name="PutObject of a file, smithy-codegen (hyper transport)" ;;
        esac
        printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$(echo "$mine" | awk 'NR == 1 { print $2 }')" \
            "$(echo "$mine" | awk '{ print $3 }' | median)" "$(echo "$mine" | awk '{ print $4 }' | median)" \
            "$(echo "$mine" | awk '{ print $5 }' | median)" "$(echo "$mine" | awk '{ print $6 }' | median)"
    done
    echo
    echo "(medians of $ROUNDS runs each, clients taking turns)"
fi
