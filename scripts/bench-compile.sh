#!/usr/bin/env bash
# Compile cost as users meet it: each generated crate built alone, from its sources, with cargo's
# default dev profile, against the official SDK crate from the registry, in one run on one machine
# (these machines are noisy: compare the ratios of one run).
#
# Cargo builds a path or workspace crate incrementally and a registry crate never does, so
# CARGO_INCREMENTAL is left as cargo's default: the generated crates pay for incremental
# compilation's bookkeeping and the SDK's do not, as in a user's workspace. INCREMENTAL=0 turns
# it off for both (the measure of earlier tables).
#
# Services (SERVICES, default "amplifybackend s3 dynamodb"), each as a crate with every
# operation and one with a few:
#   amplifybackend  ../shared/models/aws/amplifybackend-2020-08-11.json; GetBackendAuth
#   s3              ../shared/models/aws-2026/s3.json; GetObject, PutObject, ListObjectsV2
#   dynamodb        ../shared/models/aws-2026/dynamodb.json; GetItem, PutItem, Query
#   quicksight      ../shared/models/aws/quicksight-2018-04-01.json (the largest model there);
#                   DescribeDashboard
#   datazone        ../shared/models/aws/datazone-2018-05-10.json (the next largest); GetAsset
#                   (both against the SDK crates of late 2026, while the models are of April 2025:
#                   the SDK's model has grown since)
#
# Each build's peak memory is recorded too (the largest process cargo waited for, through
# /usr/bin/time: with the dependencies built, the compiler building the crate).
#
# Dependencies are built first, each crate alone (features are unified over the packages
# selected, so each crate is timed with the dependency builds it gets alone); then each crate is
# rebuilt ROUNDS times (`cargo clean -p`, which removes its incremental state too, then
# `cargo build -p`, and the same with `cargo check`), rounds interleaved. Prints medians,
# ratios and the samples.
#
# BASELINE=path/to/an/earlier/smithy-codegen also generates each service's crates with that
# generator (`<service>-full-base`, `<service>-few-base`), timed in the same rounds: a change's
# effect, measured against the same SDK in the same run.
#
# Usage: scripts/bench-compile.sh          (ROUNDS=5, SERVICES="s3", INCREMENTAL=0)
# Needs ../shared and the crate registry; writes under target/bench-compile/ (under
# $CARGO_TARGET_DIR when it is set).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ROUNDS=${ROUNDS:-3}
SERVICES=${SERVICES:-amplifybackend s3 dynamodb}
SHARED=$ROOT/../shared
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BENCH=$TARGET/bench-compile
unset CARGO_TARGET_DIR
if [ -n "${INCREMENTAL:-}" ]; then
    export CARGO_INCREMENTAL=$INCREMENTAL
else
    unset CARGO_INCREMENTAL
fi

# service -> model, SDK crate and version, the operations of the small crate.
declare -A MODEL SDK VERSION OPERATIONS
MODEL[amplifybackend]=$SHARED/models/aws/amplifybackend-2020-08-11.json
SDK[amplifybackend]=aws-sdk-amplifybackend
VERSION[amplifybackend]=1.120.0
OPERATIONS[amplifybackend]="GetBackendAuth"
MODEL[s3]=$SHARED/models/aws-2026/s3.json
SDK[s3]=aws-sdk-s3
VERSION[s3]=1.157.0
OPERATIONS[s3]="GetObject PutObject ListObjectsV2"
MODEL[dynamodb]=$SHARED/models/aws-2026/dynamodb.json
SDK[dynamodb]=aws-sdk-dynamodb
VERSION[dynamodb]=1.136.0
OPERATIONS[dynamodb]="GetItem PutItem Query"
MODEL[quicksight]=$SHARED/models/aws/quicksight-2018-04-01.json
SDK[quicksight]=aws-sdk-quicksight
VERSION[quicksight]=1.166.0
OPERATIONS[quicksight]="DescribeDashboard"
MODEL[datazone]=$SHARED/models/aws/datazone-2018-05-10.json
SDK[datazone]=aws-sdk-datazone
VERSION[datazone]=1.167.0
OPERATIONS[datazone]="GetAsset"

for service in $SERVICES; do
    if [ ! -f "${MODEL[$service]}" ]; then
        echo "error: ${MODEL[$service]} is missing: the benchmark needs ../shared" >&2
        exit 1
    fi
done

cargo build --release --quiet -p smithy-codegen --manifest-path "$ROOT/Cargo.toml" --target-dir "$TARGET"
CODEGEN=$TARGET/release/smithy-codegen
mkdir -p "$BENCH"
members=()
packages=()
for service in $SERVICES; do
    rm -rf "${BENCH:?}/$service-full" "${BENCH:?}/$service-few"
    "$CODEGEN" generate --model "${MODEL[$service]}" --out "$BENCH/$service-full" --crate "$service-full" \
        --runtime-path "$ROOT/runtime" 2>/dev/null
    few=()
    for operation in ${OPERATIONS[$service]}; do few+=(--operation "$operation"); done
    "$CODEGEN" generate --model "${MODEL[$service]}" --out "$BENCH/$service-few" --crate "$service-few" \
        "${few[@]}" --runtime-path "$ROOT/runtime" 2>/dev/null
    variants=(full few)
    if [ -n "${BASELINE:-}" ]; then
        rm -rf "${BENCH:?}/$service-full-base" "${BENCH:?}/$service-few-base"
        "$BASELINE" generate --model "${MODEL[$service]}" --out "$BENCH/$service-full-base" \
            --crate "$service-full-base" --runtime-path "$ROOT/runtime" 2>/dev/null
        "$BASELINE" generate --model "${MODEL[$service]}" --out "$BENCH/$service-few-base" \
            --crate "$service-few-base" "${few[@]}" --runtime-path "$ROOT/runtime" 2>/dev/null
        variants+=(full-base few-base)
    fi
    mkdir -p "$BENCH/$service-sdk/src"
    printf '%s\n' '[package]' "name = \"$service-sdk-anchor\"" 'version = "0.0.0"' 'edition = "2021"' \
        'publish = false' '' '[dependencies]' "${SDK[$service]} = \"=${VERSION[$service]}\"" \
        > "$BENCH/$service-sdk/Cargo.toml"
    echo "" > "$BENCH/$service-sdk/src/lib.rs"
    members+=("\"$service-sdk\"")
    packages+=("${SDK[$service]}")
    for variant in "${variants[@]}"; do
        members+=("\"$service-$variant\"")
        packages+=("$service-$variant")
    done
done
{
    echo '# Written by scripts/bench-compile.sh.'
    echo '[workspace]'
    echo 'resolver = "2"'
    echo "members = [$(IFS=,; echo "${members[*]}")]"
} > "$BENCH/Cargo.toml"
cd "$BENCH"

echo "building the dependencies (once)..."
for package in "${packages[@]}"; do
    cargo build --quiet -p "$package"
    cargo check --quiet -p "$package"
done

now() { date +%s.%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
median() { tr ' ' '\n' | grep . | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
lines() { find "$1" -name '*.rs' -print0 | xargs -0 cat | wc -l; }
# time_one COMMAND PACKAGE: seconds to rebuild PACKAGE alone with `cargo COMMAND`; the peak
# memory (KiB) goes to $BENCH/peak.
time_one() {
    cargo clean --quiet -p "$2"
    local start end
    start=$(now)
    /usr/bin/time -f %M -o "$BENCH/peak" cargo "$1" --quiet -p "$2"
    end=$(now)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

declare -A samples peaks
for round in $(seq "$ROUNDS"); do
    for command in build check; do
        for package in "${packages[@]}"; do
            samples[$command.$package]+="$(time_one "$command" "$package") "
            peaks[$command.$package]+="$(cat "$BENCH/peak") "
        done
    done
    echo "  round $round of $ROUNDS done"
done

echo
echo "## Compile time (median of $ROUNDS, CARGO_INCREMENTAL ${CARGO_INCREMENTAL:-as cargo sets it}, dependencies built)"
echo
printf '| crate | lines | build s | check s | build ratio | check ratio | build peak MiB |\n|---|---:|---:|---:|---:|---:|---:|\n'
for service in $SERVICES; do
    sdk=${SDK[$service]}
    sdk_build=$(echo "${samples[build.$sdk]}" | median)
    sdk_check=$(echo "${samples[check.$sdk]}" | median)
    sdk_dir=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"$sdk-${VERSION[$service]}" | head -n 1)/src
    for package in "$sdk" "$service-full" "$service-few" "$service-full-base" "$service-few-base"; do
        [ -n "${samples[build.$package]:-}" ] || continue
        build=$(echo "${samples[build.$package]}" | median)
        check=$(echo "${samples[check.$package]}" | median)
        case $package in
            "$sdk") dir=$sdk_dir; name="$sdk ${VERSION[$service]}" ;;
            "$service-full") dir=$BENCH/$service-full/src; name="$service, every operation" ;;
            "$service-few") dir=$BENCH/$service-few/src; name="$service, ${OPERATIONS[$service]// /, }" ;;
            "$service-full-base") dir=$BENCH/$service-full-base/src; name="$service, every operation (BASELINE)" ;;
            *) dir=$BENCH/$service-few-base/src; name="$service, ${OPERATIONS[$service]// /, } (BASELINE)" ;;
        esac
        peak=$(echo "${peaks[build.$package]}" | median)
        printf '| %s | %s | %.2f | %.2f | %s× | %s× | %.0f |\n' "$name" "$(lines "$dir")" "$build" "$check" \
            "$(ratio "$sdk_build" "$build")" "$(ratio "$sdk_check" "$check")" "$(awk -v k="$peak" 'BEGIN { print k / 1024 }')"
    done
done
echo
echo "Samples (seconds):"
for key in "${!samples[@]}"; do echo "  $key: ${samples[$key]}"; done | sort
