#!/usr/bin/env bash
# What generating code in a build script costs to compile, from nothing, in cargo's dev profile:
#   generator  a crate that depends on smithy-codegen alone (what a build script's
#              build-dependencies compile);
#   library    a library whose build.rs generates the bundled model (AmplifyBackend's
#              GetBackendAuth) and which depends on smithy-runtime with `hyper-client`: the
#              README's layout, as a user's first build or a CI run compiles it.
# Each is built from nothing (crates already downloaded) with `cargo build --timings`, and the
# script prints the wall and processor time, the compile time summed over every unit, the units,
# and each smithy-runtime unit's time. With BASELINE=/path/to/another/checkout, the same crates
# on that checkout are built in turns with this one's.
#
# Usage: [ROUNDS=1] [BASELINE=DIR] scripts/bench-build-script.sh
# Writes under target/bench-build-script/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$TARGET/bench-build-script
ROUNDS=${ROUNDS:-1}
rm -rf "$WORK"
mkdir -p "$WORK"

# write CHECKOUT NAME: the two crates on that checkout, under $WORK/NAME.
write() {
    local checkout=$1 dir=$WORK/$2
    mkdir -p "$dir/generator/src" "$dir/library/src"
    cat > "$dir/generator/Cargo.toml" <<EOF
[package]
name = "generator"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
smithy-codegen = { path = "$checkout/codegen" }

[workspace]
EOF
    echo 'pub use smithy_codegen::Codegen;' > "$dir/generator/src/lib.rs"
    cat > "$dir/library/Cargo.toml" <<EOF
[package]
name = "library"
version = "0.0.0"
edition = "2021"
publish = false
build = "build.rs"

[dependencies]
smithy-runtime = { path = "$checkout/runtime", features = ["hyper-client"] }

[build-dependencies]
smithy-codegen = { path = "$checkout/codegen" }

[workspace]
EOF
    cat > "$dir/library/build.rs" <<EOF
fn main() {
    smithy_codegen::Codegen::new()
        .model("$checkout/model/amplifybackend.json")
        .emit_to_out_dir()
        .unwrap_or_else(|err| panic!("{err}"));
}
EOF
    echo 'include!(concat!(env!("OUT_DIR"), "/smithy_codegen.rs"));' > "$dir/library/src/lib.rs"
    # The checkout's lock file, so that both build the same dependency versions.
    cp "$checkout/Cargo.lock" "$dir/generator/Cargo.lock"
    cp "$checkout/Cargo.lock" "$dir/library/Cargo.lock"
    (cd "$dir/library" && cargo fetch --quiet)
}

# measure NAME CRATE: one build from nothing, as a table row.
measure() {
    local name=$1 crate=$2 dir=$WORK/$1/$2 target=$WORK/$1/target-$2
    rm -rf "$target"
    local TIMEFORMAT='%R %U %S' times
    times=$( { time CARGO_TARGET_DIR="$target" cargo build --quiet --timings \
        --manifest-path "$dir/Cargo.toml" >/dev/null 2>&1; } 2>&1 | tail -1)
    python3 - "$name" "$crate" "$target/cargo-timings/cargo-timing.html" $times <<'EOF'
import json, re, sys
name, crate, path, wall, user, system = sys.argv[1:7]
text = open(path).read()
units = json.loads(re.search(r'const UNIT_DATA = (\[.*?\]);\n', text, re.S).group(1))
runtime = [u['duration'] for u in units if u['name'] == 'smithy-runtime' and u['duration'] >= 1]
print(f"| {name} | {crate} | {float(wall):.1f} | {float(user) + float(system):.1f} | "
      f"{sum(u['duration'] for u in units):.1f} | {len(units)} | "
      f"{', '.join(f'{d:.1f}' for d in sorted(runtime))} |")
EOF
}

NAMES=(this)
write "$ROOT" this
if [ -n "${BASELINE:-}" ]; then
    write "$(cd "$BASELINE" && pwd)" baseline
    NAMES=(baseline this)
fi
echo "| checkout | crate | wall s | processor s | unit-seconds | units | smithy-runtime units s |"
echo "|---|---|---:|---:|---:|---:|---|"
for _ in $(seq "$ROUNDS"); do
    for crate in generator library; do
        for name in "${NAMES[@]}"; do
            measure "$name" "$crate"
        done
    done
done
