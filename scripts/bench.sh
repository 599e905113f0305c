#!/usr/bin/env bash
# Side-by-side measurements of generated crates against the official AWS SDK crate, in one run on
# one machine (these machines are noisy, so compare the ratios):
#
#   1. a GetBackendAuth call through an in-memory transport, ours against the SDK with its HTTP
#      client replaced by an in-memory one: build the input, serialize, answer with the full
#      response, parse. Nanoseconds per call, median of several runs. Both sign their requests
#      with SigV4 and take the endpoint from the region through the endpoint rules; ours is also
#      measured unsigned with the endpoint given.
#
#   2. the edit-rebuild loop as a user lives it, default dev profile (incremental): an application
#      that calls GetBackendAuth, one line of its own `main` edited, then `cargo build` (and,
#      separately, `cargo check`), EDITS times, median. Three applications: ours in the README's
#      layout (the generated code in a crate of its own, `build.rs` plus one `include!`, which
#      the application depends on), ours with the generated code `include!`d into the
#      application itself, and the SDK's (`aws-sdk-amplifybackend` as a dependency). Each has a
#      target directory of its own, and its first build from nothing is timed too (the cold
#      build, registry already downloaded); so is ours in the README's layout with
#      `[profile.dev.build-override] opt-level = 3`.
#
# Compile time of the generated crates is scripts/bench-compile.sh's; generation speed is a
# criterion benchmark: `cargo bench -p smithy-codegen --bench generate`.
#
# Usage: scripts/bench.sh            (ROUNDS=5 EDITS=9 scripts/bench.sh for more rounds)
#        PARTS="edit" scripts/bench.sh   (edit or percall; default both)
# Needs ../shared (the published model) and the crate registry; writes under target/bench/
# (under $CARGO_TARGET_DIR when it is set).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ROUNDS=${ROUNDS:-3}
EDITS=${EDITS:-5}
PARTS=${PARTS:-edit percall}
MODEL=$ROOT/../shared/models/aws/amplifybackend-2020-08-11.json
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BENCH=$TARGET/bench
SDK_VERSION=1.120.0
part() { [[ " $PARTS " == *" $1 "* ]]; }

if [ ! -f "$MODEL" ]; then
    echo "error: $MODEL is missing: the benchmark needs ../shared" >&2
    exit 1
fi

cargo build --release --quiet -p smithy-codegen
CODEGEN=$TARGET/release/smithy-codegen
mkdir -p "$BENCH"
# Written anew: a generated crate's Cargo.toml is kept once written, and names the runtime.
rm -rf "$BENCH/full" "$BENCH/one"
"$CODEGEN" generate --model "$MODEL" --out "$BENCH/full" --crate amplifybackend-full --runtime-path "$ROOT/runtime" 2>/dev/null
"$CODEGEN" generate --model "$MODEL" --out "$BENCH/one" --crate amplifybackend-one --operation GetBackendAuth \
    --runtime-path "$ROOT/runtime" 2>/dev/null

mkdir -p "$BENCH/sdk/src" "$BENCH/percall/src"
cat > "$BENCH/Cargo.toml" <<EOF
# Written by scripts/bench.sh.
[workspace]
resolver = "2"
members = ["full", "one", "sdk", "percall", "amplifybackend", "app-ours", "app-include", "app-sdk"]

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

# The edit-rebuild loop's applications. Each calls GetBackendAuth as the README shows and reads
# `EDIT`, the line the loop edits.
mkdir -p "$BENCH/amplifybackend/src" "$BENCH/app-ours/src" "$BENCH/app-include/src" "$BENCH/app-sdk/src"
cat > "$BENCH/amplifybackend/Cargo.toml" <<EOF
[package]
name = "amplifybackend"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
smithy-runtime = { path = "$ROOT/runtime", features = ["hyper-client"] }

[build-dependencies]
smithy-codegen = { path = "$ROOT/codegen" }
EOF
cat > "$BENCH/amplifybackend/build.rs" <<EOF
fn main() {
    smithy_codegen::Codegen::new()
        .model("$MODEL")
        .emit_to_out_dir()
        .unwrap_or_else(|err| panic!("{err}"));
}
EOF
cp "$BENCH/amplifybackend/build.rs" "$BENCH/app-include/build.rs"
echo 'include!(concat!(env!("OUT_DIR"), "/smithy_codegen.rs"));' > "$BENCH/amplifybackend/src/lib.rs"
cat > "$BENCH/app-ours/Cargo.toml" <<EOF
[package]
name = "app-ours"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
amplifybackend = { path = "../amplifybackend" }
tokio = { version = "1", features = ["rt", "macros"] }
EOF
sed -e 's/^name = "amplifybackend"/name = "app-include"/' -e 's/^version = "0.1.0"/version = "0.0.0"/' \
    -e 's/^\[dependencies\]/[dependencies]\ntokio = { version = "1", features = ["rt", "macros"] }/' \
    "$BENCH/amplifybackend/Cargo.toml" > "$BENCH/app-include/Cargo.toml"
app_main() { # app_main PATH-OF-THE-GENERATED-CODE [IMPORTS]
    cat <<EOF
use $1::client::{Client, Config};
use $1::operation::get_backend_auth::GetBackendAuthInput;
${2:-}

const EDIT: u64 = 0;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env().await;
    let client = Client::new(&config);
    let input = GetBackendAuthInput::builder()
        .app_id(format!("app{EDIT}"))
        .backend_environment_name("staging")
        .resource_name("auth")
        .build()?;
    if std::env::args().count() > 1 {
        let output = client.get_backend_auth(input).await?;
        println!("{:?}", output.resource_config);
    }
    Ok(())
}
EOF
}
app_main amplifybackend "use amplifybackend::AmplifyBackend;" > "$BENCH/app-ours/src/main.rs"
{
    echo 'include!(concat!(env!("OUT_DIR"), "/smithy_codegen.rs"));'
    echo
    app_main crate
} > "$BENCH/app-include/src/main.rs"
cat > "$BENCH/app-sdk/Cargo.toml" <<EOF
[package]
name = "app-sdk"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
aws-sdk-amplifybackend = "=$SDK_VERSION"
tokio = { version = "1", features = ["rt", "macros"] }
EOF
cat > "$BENCH/app-sdk/src/main.rs" <<'EOF'
use aws_sdk_amplifybackend::config::{BehaviorVersion, Region};
use aws_sdk_amplifybackend::{Client, Config};

const EDIT: u64 = 0;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .build();
    let client = Client::from_conf(config);
    let call = client
        .get_backend_auth()
        .app_id(format!("app{EDIT}"))
        .backend_environment_name("staging")
        .resource_name("auth");
    if std::env::args().count() > 1 {
        let output = call.send().await?;
        println!("{:?}", output.resource_config);
    }
    Ok(())
}
EOF

cd "$BENCH"
cargo fetch --quiet

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

if part edit; then
    # Each application in a target directory of its own, built from nothing (timed), then edited.
    declare -A edit cold
    timed() { # timed TARGET-DIR CARGO-ARGS...: seconds that cargo takes
        local target=$1 start end
        shift
        start=$(now)
        CARGO_TARGET_DIR=$target cargo "$@" --quiet || return 1
        end=$(now)
        seconds "$start" "$end"
    }
    for app in app-sdk app-ours app-include; do
        rm -rf "$BENCH/target-$app"
        echo "building $app from nothing..."
        cold[$app]=$(timed "$BENCH/target-$app" build -p "$app")
    done
    rm -rf "$BENCH/target-override"
    echo "building app-ours from nothing with [profile.dev.build-override] opt-level = 3..."
    cold[override]=$(timed "$BENCH/target-override" build -p app-ours --config 'profile.dev.build-override.opt-level=3')
    rm -rf "$BENCH/target-override"
    for app in app-sdk app-ours app-include; do
        CARGO_TARGET_DIR=$BENCH/target-$app cargo check --quiet -p "$app"
    done
    n=0
    for command in build check; do
        for round in $(seq "$EDITS"); do
            for app in app-sdk app-ours app-include; do
                n=$((n + 1))
                sed -i "s/^const EDIT: u64 = .*/const EDIT: u64 = $n;/" "$BENCH/$app/src/main.rs"
                edit[$command.$app]+="$(timed "$BENCH/target-$app" "$command" -p "$app") "
            done
        done
        echo "  $command: $EDITS edits done"
    done

    echo
    echo "## Edit one line of the application, rebuild (median of $EDITS, default dev profile, incremental)"
    echo
    printf '| application | cargo build s | cargo check s | build: SDK / this | check: SDK / this | from nothing s |\n|---|---:|---:|---:|---:|---:|\n'
    sdk_build=$(echo "${edit[build.app-sdk]}" | median)
    sdk_check=$(echo "${edit[check.app-sdk]}" | median)
    for app in app-sdk app-ours app-include; do
        build=$(echo "${edit[build.$app]}" | median)
        check=$(echo "${edit[check.$app]}" | median)
        case $app in
            app-sdk) what="aws-sdk-amplifybackend $SDK_VERSION as a dependency" ;;
            app-ours) what="generated crate of its own (README layout) as a dependency" ;;
            app-include) what="generated code include!d into the application" ;;
        esac
        printf '| %s | %.2f | %.2f | %s× | %s× | %.1f |\n' "$what" "$build" "$check" \
            "$(ratio "$sdk_build" "$build")" "$(ratio "$sdk_check" "$check")" "${cold[$app]}"
    done
    echo
    printf 'From nothing, the README layout with [profile.dev.build-override] opt-level = 3: %.1f s (%.1f s without)\n' \
        "${cold[override]}" "${cold[app-ours]}"
    echo
    echo "Samples (seconds):"
    for key in "${!edit[@]}"; do echo "  $key: ${edit[$key]}"; done | sort
    for app in app-sdk app-ours app-include; do
        sed -i "s/^const EDIT: u64 = .*/const EDIT: u64 = 0;/" "$BENCH/$app/src/main.rs"
    done
    echo
fi

if part percall; then
    echo
    echo "## GetBackendAuth through an in-memory transport (release build)"
    echo
    cargo build --quiet --release -p percall
    cargo run --quiet --release -p percall -- "$BENCH/percall/response.json"
fi
