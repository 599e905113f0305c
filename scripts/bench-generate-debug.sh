#!/usr/bin/env bash
# Generation as a build script runs it by default: the generator built in cargo's dev profile
# (unoptimized, as build-dependencies are unless the workspace says otherwise), loading and
# generating every file in memory (laid out, and unformatted), median of 5 runs, for the
# published AmplifyBackend model and QuickSight. Compare with the release figures of
# `cargo bench -p smithy-codegen --bench generate`.
#
# Usage: scripts/bench-generate-debug.sh
# Needs ../shared; writes under target/bench-generate-debug/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$TARGET/bench-generate-debug
MODELS=$ROOT/../shared/models/aws
for model in amplifybackend-2020-08-11 quicksight-2018-04-01; do
    if [ ! -f "$MODELS/$model.json" ]; then
        echo "error: $MODELS/$model.json is missing: the benchmark needs ../shared" >&2
        exit 1
    fi
done
mkdir -p "$WORK/src"
printf '%s\n' '# Written by scripts/bench-generate-debug.sh.' '[package]' 'name = "generate-debug"' \
    'version = "0.0.0"' 'edition = "2021"' 'publish = false' '' '[dependencies]' \
    "smithy-codegen = { path = \"$ROOT/codegen\" }" '' '[workspace]' > "$WORK/Cargo.toml"
cat > "$WORK/src/main.rs" <<'RUST'
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("a model");
    for formatted in [true, false] {
        let mut codegen = smithy_codegen::Codegen::new();
        codegen.model(&path);
        codegen.format(formatted);
        let mut times: Vec<f64> = (0..5)
            .map(|_| {
                let start = Instant::now();
                let generated = codegen.generate().expect("generates");
                generated.source_files().expect("assembles");
                start.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let form = if formatted { "laid out" } else { "unformatted" };
        println!("| {} | {form} | {:.0} ms |", path.rsplit('/').next().unwrap_or(&path), times[2]);
    }
}
RUST
cd "$WORK"
CARGO_TARGET_DIR=$WORK/target cargo build --quiet
echo "| model | output | debug-built generator |"
echo "|---|---|---:|"
for model in amplifybackend-2020-08-11 quicksight-2018-04-01; do
    "$WORK/target/debug/generate-debug" "$MODELS/$model.json"
done
