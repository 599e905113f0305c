#!/usr/bin/env bash
# Release binary size of a program that makes one signed call over HTTPS, configured from the
# environment (region, credentials), ours against the same program on the official SDK with
# `aws-config`, both with their crates' default features, cargo's default release profile:
#
#   get-backend-auth   AmplifyBackend GetBackendAuth: the crate generated from the bundled
#                      model/amplifybackend.json, against aws-sdk-amplifybackend 1.120.0
#   s3-get-object      S3 GetObject, its body read to the end: the crate generated from
#                      ../shared/models/aws-2026/s3.json with GetObject alone, against
#                      aws-sdk-s3 1.157.0
#
# The programs are built, not run. Usage: scripts/bench-size.sh. Writes under target/bench-size/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BENCH=$TARGET/bench-size
unset CARGO_TARGET_DIR
S3_MODEL=$ROOT/../shared/models/aws-2026/s3.json
if [ ! -f "$S3_MODEL" ]; then
    echo "error: $S3_MODEL is missing: the benchmark needs ../shared" >&2
    exit 1
fi

cargo build --release --quiet -p smithy-codegen --target-dir "$TARGET"
CODEGEN=$TARGET/release/smithy-codegen
mkdir -p "$BENCH"
rm -rf "$BENCH/amplifybackend" "$BENCH/s3"
"$CODEGEN" generate --model "$ROOT/model/amplifybackend.json" --out "$BENCH/amplifybackend" \
    --crate amplifybackend --runtime-path "$ROOT/runtime" 2>/dev/null
"$CODEGEN" generate --model "$S3_MODEL" --out "$BENCH/s3" --crate s3 --operation GetObject \
    --runtime-path "$ROOT/runtime" 2>/dev/null

package() { # package NAME DEPENDENCY-LINES...
    local name=$1
    shift
    mkdir -p "$BENCH/$name/src"
    printf '%s\n' '[package]' "name = \"$name\"" 'version = "0.0.0"' 'edition = "2021"' 'publish = false' '' \
        '[dependencies]' "$@" > "$BENCH/$name/Cargo.toml"
}
TOKIO='tokio = { version = "1", features = ["rt", "macros"] }'

package ours-get-backend-auth 'amplifybackend = { path = "../amplifybackend" }' "$TOKIO"
cat > "$BENCH/ours-get-backend-auth/src/main.rs" <<'EOF'
use amplifybackend::client::{Client, Config};
use amplifybackend::operation::get_backend_auth::GetBackendAuthInput;
use amplifybackend::AmplifyBackend;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::new(&Config::from_env().await);
    let input = GetBackendAuthInput::new("app", "env", "auth");
    println!("{:?}", client.get_backend_auth(input).await?);
    Ok(())
}
EOF

package sdk-get-backend-auth 'aws-config = "1"' 'aws-sdk-amplifybackend = "=1.120.0"' "$TOKIO"
cat > "$BENCH/sdk-get-backend-auth/src/main.rs" <<'EOF'
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let client = aws_sdk_amplifybackend::Client::new(&config);
    let output = client
        .get_backend_auth()
        .app_id("app")
        .backend_environment_name("env")
        .resource_name("auth")
        .send()
        .await?;
    println!("{output:?}");
    Ok(())
}
EOF

package ours-s3-get-object 's3 = { path = "../s3" }' "$TOKIO"
cat > "$BENCH/ours-s3-get-object/src/main.rs" <<'EOF'
use s3::client::{Client, Config};
use s3::operation::get_object::GetObjectInput;
use s3::AmazonS3;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::new(&Config::from_env().await);
    let output = client.get_object(GetObjectInput::new("bucket", "key")).await?;
    let body = output.body.collect().await?;
    println!("{} bytes", body.len());
    Ok(())
}
EOF

package sdk-s3-get-object 'aws-config = "1"' 'aws-sdk-s3 = "=1.157.0"' "$TOKIO"
cat > "$BENCH/sdk-s3-get-object/src/main.rs" <<'EOF'
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let client = aws_sdk_s3::Client::new(&config);
    let output = client.get_object().bucket("bucket").key("key").send().await?;
    let body = output.body.collect().await?.into_bytes();
    println!("{} bytes", body.len());
    Ok(())
}
EOF

printf '%s\n' '# Written by scripts/bench-size.sh.' '[workspace]' 'resolver = "2"' \
    'members = ["ours-get-backend-auth", "sdk-get-backend-auth", "ours-s3-get-object", "sdk-s3-get-object"]' \
    > "$BENCH/Cargo.toml"
cd "$BENCH"
size_of() { stat -c %s "target/release/$1"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1048576 }'; }
echo "| program | ours MiB | SDK MiB | SDK / ours |"
echo "|---|---:|---:|---:|"
for program in get-backend-auth s3-get-object; do
    # One build each, so that cargo does not unify their shared dependencies' features (the
    # SDK's turn on hyper's HTTP/2) into both binaries.
    cargo build --release --quiet -p "ours-$program"
    cargo build --release --quiet -p "sdk-$program"
    ours=$(size_of "ours-$program")
    sdk=$(size_of "sdk-$program")
    echo "| $program | $(mib "$ours") | $(mib "$sdk") | $(awk -v a="$sdk" -v b="$ours" 'BEGIN { printf "%.1f", a / b }')× |"
done
