#!/usr/bin/env bash
# The least any crate on the runtime costs to build: what bounds the compile-time ratios of small
# generated crates. Three crates on `smithy-runtime` with its `hyper-client` feature (as a
# generated crate's default features have it), each rebuilt alone with cargo's default dev
# profile, against the official crate from the registry, in one run:
#
#   empty   `pub use smithy_runtime as _;` and nothing else;
#   floor   two types with the derives and impls every generated crate has (`Debug`, `Clone`,
#           `Copy`, `PartialEq`, `Eq`, `Hash`, `Default`, `Display`, `Error`, `From`, `AsRef`,
#           `FromStr`), and nothing else;
#   gba     the crate generated for GetBackendAuth alone.
#
# For each: the median wall time of `cargo build` over ROUNDS rebuilds (`cargo clean -p`, then
# `cargo build -p`), and the compiler's own total and coherence-checking times from one more
# rebuild under `-Z time-passes` (`RUSTC_BOOTSTRAP=1`, the same stable compiler). Coherence
# checking is where a crate's first impl of a standard trait pays for every impl of that trait in
# the whole dependency graph, the standard library's included.
#
# Usage: scripts/bench-compile-floor.sh          (ROUNDS=3)
# Needs ../shared and the crate registry; writes under target/bench-compile-floor/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ROUNDS=${ROUNDS:-3}
MODEL=$ROOT/../shared/models/aws/amplifybackend-2020-08-11.json
SDK=aws-sdk-amplifybackend
SDK_VERSION=1.120.0
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BENCH=$TARGET/bench-compile-floor
unset CARGO_TARGET_DIR CARGO_INCREMENTAL

if [ ! -f "$MODEL" ]; then
    echo "error: $MODEL is missing: the benchmark needs ../shared" >&2
    exit 1
fi

cargo build --release --quiet -p smithy-codegen --manifest-path "$ROOT/Cargo.toml" --target-dir "$TARGET"
rm -rf "$BENCH/gba" "$BENCH/empty" "$BENCH/floor" "$BENCH/sdk"
mkdir -p "$BENCH/empty/src" "$BENCH/floor/src" "$BENCH/sdk/src"
"$TARGET/release/smithy-codegen" generate --model "$MODEL" --out "$BENCH/gba" --crate gba \
    --operation GetBackendAuth --runtime-path "$ROOT/runtime" 2>/dev/null
for crate in empty floor; do
    printf '%s\n' '# Written by scripts/bench-compile-floor.sh.' '[package]' "name = \"$crate\"" \
        'version = "0.0.0"' 'edition = "2021"' 'publish = false' '' '[dependencies]' \
        "smithy-runtime = { path = \"$ROOT/runtime\", features = [\"hyper-client\"] }" \
        > "$BENCH/$crate/Cargo.toml"
done
printf '%s\n' '# Written by scripts/bench-compile-floor.sh.' '[package]' 'name = "sdk-anchor"' \
    'version = "0.0.0"' 'edition = "2021"' 'publish = false' '' '[dependencies]' \
    "$SDK = \"=$SDK_VERSION\"" > "$BENCH/sdk/Cargo.toml"
echo "" > "$BENCH/sdk/src/lib.rs"
echo 'pub use smithy_runtime as _runtime;' > "$BENCH/empty/src/lib.rs"
cat > "$BENCH/floor/src/lib.rs" <<'RUST'
//! The impls every generated crate has, on two types.
pub use smithy_runtime as _runtime;

/// A unit type, as an operation's marker is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Marker;

/// A structure with an optional member, as most of a model's are, that is also an error.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Shape {
    pub name: Option<String>,
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name.as_deref().unwrap_or("shape"))
    }
}

impl std::error::Error for Shape {}

impl From<Marker> for Shape {
    fn from(_: Marker) -> Self {
        Shape::default()
    }
}

impl AsRef<str> for Marker {
    fn as_ref(&self) -> &str {
        "marker"
    }
}

impl std::str::FromStr for Marker {
    type Err = Shape;

    fn from_str(_: &str) -> Result<Self, Shape> {
        Ok(Marker)
    }
}
RUST
printf '%s\n' '# Written by scripts/bench-compile-floor.sh.' '[workspace]' 'resolver = "2"' \
    'members = ["empty", "floor", "gba", "sdk"]' > "$BENCH/Cargo.toml"
cd "$BENCH"

echo "building the dependencies (once)..."
for package in empty floor gba "$SDK"; do
    cargo build --quiet -p "$package"
done

now() { date +%s.%N; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
declare -A SAMPLES
for _ in $(seq "$ROUNDS"); do
    for package in empty floor gba "$SDK"; do
        cargo clean --quiet -p "$package"
        start=$(now)
        cargo build --quiet -p "$package"
        SAMPLES[$package]+=" $(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')"
    done
done
sdk=$(echo "${SAMPLES[$SDK]}" | median)

echo
echo "| crate | cargo build s | $SDK over it | rustc total s | coherence checking s |"
echo "|---|---:|---:|---:|---:|"
for package in empty floor gba "$SDK"; do
    cargo clean --quiet -p "$package"
    passes=$(RUSTC_BOOTSTRAP=1 cargo rustc --quiet -p "$package" --lib -- -Z time-passes 2>&1 || true)
    total=$(echo "$passes" | awk '$NF == "total" { t = $2 } END { print t }' | tr -d ';')
    coherence=$(echo "$passes" | awk '$NF == "coherence_checking" { print $2 }' | tr -d ';')
    build=$(echo "${SAMPLES[$package]}" | median)
    echo "| $package | $build | $(awk -v a="$sdk" -v b="$build" 'BEGIN { printf "%.1f×", a / b }') | $total | $coherence |"
done
echo
echo "(medians of $ROUNDS rebuilds each, crates taking turns; samples:)"
for package in empty floor gba "$SDK"; do
    echo "  $package:${SAMPLES[$package]}"
done
