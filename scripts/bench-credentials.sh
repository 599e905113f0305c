#!/usr/bin/env bash
# What the default credential chain costs a program, ours against the official one, in one run on
# one machine (compare the ratios: these machines are noisy):
#
#   a "hello world" that loads the configuration from the environment and resolves credentials
#   once (`Config::from_env` here; `aws_config::load_defaults` with `aws-sdk-sts`, which the
#   official chain needs for roles and web identity, and its SSO clients, on the other side),
#   each in a target directory of its own:
#     - the cold build, default dev profile, registry already downloaded (`cargo fetch` first);
#     - the release binary's size, as built and stripped.
#
#   With BASE=<revision>, the same program is also built against the runtime at that revision
#   (a git worktree under the bench directory), to show what the runtime gained since.
#
# Usage: scripts/bench-credentials.sh        BASE=672da38 scripts/bench-credentials.sh
# Needs the crate registry; writes under target/bench-credentials/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BENCH=$TARGET/bench-credentials
mkdir -p "$BENCH"

ours_app() { # dir runtime-path
    mkdir -p "$1/src"
    cat > "$1/Cargo.toml" <<EOF
[package]
name = "hello-credentials"
version = "0.1.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
smithy-runtime = { path = "$2", features = ["hyper-client"] }
tokio = { version = "1", features = ["rt", "macros"] }
EOF
    cat > "$1/src/main.rs" <<'EOF'
use smithy_runtime::auth::ProvideCredentials;
use smithy_runtime::client::Config;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let config = Config::from_env().await;
    let provider = config.credentials().expect("a credentials chain");
    match provider.provide_credentials().await {
        Ok(credentials) => println!("credentials from {}", credentials.provider()),
        Err(error) => println!("{error}"),
    }
}
EOF
}

sdk_app() { # dir
    mkdir -p "$1/src"
    cat > "$1/Cargo.toml" <<'EOF'
[package]
name = "hello-credentials"
version = "0.1.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
aws-config = "1"
aws-sdk-sts = "1"
aws-credential-types = "1"
tokio = { version = "1", features = ["rt", "macros"] }
EOF
    cat > "$1/src/main.rs" <<'EOF'
use aws_config::BehaviorVersion;
use aws_credential_types::provider::ProvideCredentials;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    // The STS client is what a program that assumes roles itself builds too.
    let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let _sts = aws_sdk_sts::Client::new(&config);
    let provider = config.credentials_provider().expect("a credentials chain");
    match provider.provide_credentials().await {
        Ok(_) => println!("credentials found"),
        Err(error) => println!("{error}"),
    }
}
EOF
}

measure() { # name dir
    local dir=$2
    (cd "$dir" && cargo generate-lockfile --quiet && cargo fetch --quiet)
    rm -rf "$dir/target"
    local start end
    start=$(date +%s.%N)
    (cd "$dir" && CARGO_TARGET_DIR="$dir/target" cargo build --quiet)
    end=$(date +%s.%N)
    local build
    build=$(echo "$end - $start" | bc)
    (cd "$dir" && CARGO_TARGET_DIR="$dir/target" cargo build --release --quiet)
    local binary=$dir/target/release/hello-credentials
    local size stripped
    size=$(stat -c %s "$binary")
    cp "$binary" "$dir/stripped" && strip "$dir/stripped"
    stripped=$(stat -c %s "$dir/stripped")
    local crates
    crates=$(grep -c '^name = ' "$dir/Cargo.lock")
    printf '%-28s %8.1f s %10.2f MiB %10.2f MiB %6d crates\n' "$1" "$build" \
        "$(echo "$size / 1048576" | bc -l)" "$(echo "$stripped / 1048576" | bc -l)" "$crates"
    echo "$build $size $stripped" > "$dir/result"
}

ours_app "$BENCH/ours" "$ROOT/runtime"
sdk_app "$BENCH/sdk"
printf '%-28s %10s %14s %14s %12s\n' "program" "cold build" "release" "stripped" "lock"
measure "ours (smithy-runtime)" "$BENCH/ours"
if [ -n "${BASE:-}" ]; then
    rm -rf "$BENCH/base-tree"
    git worktree remove --force "$BENCH/base-tree" 2>/dev/null || true
    git worktree add --quiet --detach "$BENCH/base-tree" "$BASE"
    ours_app "$BENCH/base" "$BENCH/base-tree/runtime"
    measure "ours at $BASE" "$BENCH/base"
    git worktree remove --force "$BENCH/base-tree"
fi
measure "aws-config + aws-sdk-sts" "$BENCH/sdk"
grep -A1 '^name = "aws-config"' "$BENCH/sdk/Cargo.lock" | tr '\n' ' '
grep -A1 '^name = "aws-sdk-sts"' "$BENCH/sdk/Cargo.lock" | tr '\n' ' '
echo
read -r ob os oz < "$BENCH/ours/result"
read -r sb ss sz < "$BENCH/sdk/result"
printf 'ratios (official / ours): cold build %.1fx, release binary %.1fx, stripped %.1fx\n' \
    "$(echo "$sb / $ob" | bc -l)" "$(echo "$ss / $os" | bc -l)" "$(echo "$sz / $oz" | bc -l)"
