#!/usr/bin/env bash
# Per-model numbers for a closing note: for every AWS model in ../shared/models/aws/ and
# ../shared/models/aws-popular/, and every
# service of ../shared/protocol-tests/aws-protocol-tests.json, the shapes, operations and lines
# generated, the release CLI's generation time, and `cargo check` time of that crate alone; then
# the published AmplifyBackend model whole against GetBackendAuth alone, and the CLI's peak memory
# on quicksight. Prints a Markdown report on stdout; progress goes to stderr.
#
#   scripts/model-report.sh > report.md
#
# Crates go to target/model-report/ (rewritten each run; the quicksight crate of the memory
# measurement to target/model-report-memory/), checked with the shared target dir
# target/model-report-target/ (kept: its dependencies stay built). Needs ../shared, the crates
# of the workspace's Cargo.lock in the local cargo registry (checks run --offline), and jq or
# python3. Timings are wall-clock, on whatever else the machine is doing.
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT=$PWD
SHARED=$ROOT/../shared
MODELS=$SHARED/models/aws
PROTOCOL_TESTS=$SHARED/protocol-tests/aws-protocol-tests.json
OUT=$ROOT/target/model-report
MEMORY_OUT=$ROOT/target/model-report-memory/quicksight
export CARGO_TARGET_DIR=$ROOT/target/model-report-target
export CARGO_TERM_COLOR=never

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ -d "$MODELS" ] || die "$MODELS not found: this report needs the shared AWS models"
[ -f "$PROTOCOL_TESTS" ] || die "$PROTOCOL_TESTS not found"

now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }
# Milliseconds as seconds with two decimals.
secs() { printf '%d.%02d' $(( $1 / 1000 )) $(( $1 % 1000 / 10 )); }

services() {
    if command -v jq >/dev/null; then
        jq -r '.shapes | to_entries[] | select(.value.type == "service") | .key' "$PROTOCOL_TESTS" | sort
    elif command -v python3 >/dev/null; then
        python3 -c 'import json, sys
shapes = json.load(open(sys.argv[1]))["shapes"]
print("\n".join(sorted(k for k, v in shapes.items() if v["type"] == "service")))' "$PROTOCOL_TESTS"
    else
        die "jq or python3 is needed to list the protocol-test services"
    fi
}

# Crate names, as tests/tests/aws_models.rs makes them: lowercase, runs of other characters
# than letters and digits become one `-`.
kebab() { tr '[:upper:]' '[:lower:]' <<<"$1" | sed -E 's/[^a-z0-9]+/-/g; s/^-+//; s/-+$//'; }
# amplifybackend-2020-08-11 -> amplifybackend
model_crate() { kebab "$(sed -E 's/-[0-9]{4}-[0-9]{2}-[0-9]{2}$//' <<<"$1")"; }
# aws.protocoltests.restjson.validation#RestJsonValidation -> pt-validation-restjsonvalidation
service_crate() {
    local namespace=${1%%#*} name=${1#*#}
    echo "pt-$(kebab "${namespace##*.}-$name")"
}

log "==> cargo build --release -p smithy-codegen"
cargo build --release -q -p smithy-codegen
CLI=$ROOT/target/release/smithy-codegen

rm -rf "$OUT" "${MEMORY_OUT%/*}"
mkdir -p "$OUT"

# name|source|shapes|operations|lines|generation ms, one line per crate, in order.
ROWS=()

# generate NAME SOURCE CLI-ARGS...: runs the release CLI into $OUT/NAME, records a row.
generate() {
    local name=$1 source=$2
    shift 2
    local start message lines ms
    start=$(now_ns)
    message=$("$CLI" generate --out "$OUT/$name" --crate "$name" --runtime-path "$ROOT/runtime" "$@" 2>&1) || die "generating $name failed: $message"
    ms=$(ms_since "$start")
    # "generated crate `x` in DIR: 31 operations, 162 shapes, 72 files changed, in 132.3 ms"
    local operations shapes
    operations=$(sed -nE 's/.*: ([0-9]+) operations?, .*/\1/p' <<<"$message")
    shapes=$(sed -nE 's/.* ([0-9]+) shapes?, .*/\1/p' <<<"$message")
    lines=$(cd "$OUT/$name" && find src -name '*.rs' | xargs cat | wc -l)
    ROWS+=("$name|$source|$shapes|$operations|$lines|$ms")
    log "    $name: $operations operations, $shapes shapes, $lines lines, $ms ms"
}

log "==> generating with the release CLI"
for model in "$MODELS"/*.json "$SHARED"/models/aws-popular/*.json; do
    stem=$(basename "$model" .json)
    generate "$(model_crate "$stem")" "\`$stem.json\`" --model "$model"
done
while read -r service; do
    generate "$(service_crate "$service")" "\`$service\`" --model "$PROTOCOL_TESTS" --service "$service"
done < <(services)
generate amplifybackend-getbackendauth "\`amplifybackend-2020-08-11.json\` GetBackendAuth only" \
    --model "$MODELS/amplifybackend-2020-08-11.json" --operation GetBackendAuth

# One workspace, one lock file (the workspace's: serde and serde_json already downloaded).
{
    echo "# Written by scripts/model-report.sh."
    echo "[workspace]"
    echo 'resolver = "2"'
    echo "members = ["
    for row in "${ROWS[@]}"; do echo "    \"${row%%|*}\","; done
    echo "]"
} >"$OUT/Cargo.toml"
cp Cargo.lock "$OUT/Cargo.lock"

# Warm the dependencies once per set of them (serde alone, with serde_json, with regex, ...), so
# each timed check is the crate's own: for each distinct [dependencies] section, check its
# smallest crate first.
declare -A WARM WARM_LINES
for row in "${ROWS[@]}"; do
    IFS='|' read -r name _ _ _ lines _ <<<"$row"
    deps=$(sed -n '/^\[dependencies\]/,$p' "$OUT/$name/Cargo.toml" | grep -v '^\s*\(#\|$\)' | sort | md5sum | cut -c1-32)
    if [ -z "${WARM[$deps]:-}" ] || [ "$lines" -lt "${WARM_LINES[$deps]}" ]; then
        WARM[$deps]=$name WARM_LINES[$deps]=$lines
    fi
done
for name in "${WARM[@]}"; do
    log "==> warming dependencies: cargo check -p $name"
    (cd "$OUT" && cargo check --offline -q -p "$name") >"$OUT/warm-$name.log" 2>&1 \
        || log "    failed (see $OUT/warm-$name.log); its dependencies may be built all the same"
done

# name -> check milliseconds, or FAILED; name -> warnings.
declare -A CHECK WARNINGS
log "==> cargo check -p <crate>, one at a time"
for row in "${ROWS[@]}"; do
    name=${row%%|*}
    # A fresh check of the crate itself: no up-to-date fingerprint, no incremental cache from
    # the warm-up or an earlier run of this script.
    touch "$OUT/$name/src/lib.rs"
    rm -rf "$CARGO_TARGET_DIR"/debug/incremental/"${name//-/_}"-*
    start=$(now_ns)
    if (cd "$OUT" && cargo check --offline -q --message-format=short -p "$name") >"$OUT/$name.check.log" 2>&1; then
        CHECK[$name]=$(ms_since "$start")
        WARNINGS[$name]=$(grep -c '^[^ ]*: warning' "$OUT/$name.check.log" || true)
        log "    $name: $(secs "${CHECK[$name]}") s, ${WARNINGS[$name]} warnings"
    else
        CHECK[$name]=FAILED
        log "    $name: FAILED (see $OUT/$name.check.log)"
    fi
done

log "==> peak memory: /usr/bin/time -v smithy-codegen on quicksight"
PEAK=""
if [ -x /usr/bin/time ]; then
    mkdir -p "${MEMORY_OUT%/*}"
    /usr/bin/time -v "$CLI" generate --model "$MODELS/quicksight-2018-04-01.json" --out "$MEMORY_OUT" \
        --crate quicksight-memory >/dev/null 2>"$MEMORY_OUT.time" || die "quicksight failed under /usr/bin/time"
    PEAK=$(sed -nE 's/.*Maximum resident set size \(kbytes\): ([0-9]+).*/\1/p' "$MEMORY_OUT.time")
    ELAPSED=$(sed -nE 's/.*Elapsed \(wall clock\) time.*: (.*)/\1/p' "$MEMORY_OUT.time")
else
    log "    /usr/bin/time is missing (apt-get install time): peak memory not measured"
fi

check_cell() {
    local value=${CHECK[$1]}
    if [ "$value" = FAILED ]; then
        echo "**FAILED**"
    elif [ "${WARNINGS[$1]}" -gt 0 ]; then
        echo "$(secs "$value") (**${WARNINGS[$1]} warnings**)"
    else
        secs "$value"
    fi
}

# The report.
echo "## Generated crates"
echo
echo "Release CLI \`smithy-codegen generate\` (wall clock, process start to exit); \`cargo check -p <crate>\`"
echo "alone with dependencies already built (dev profile, $(nproc) cores); lines = \`find src -name '*.rs' | xargs cat | wc -l\`."
echo
echo "| crate | from | shapes | operations | lines | generate (ms) | cargo check (s) |"
echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
total_shapes=0 total_operations=0 total_lines=0 total_ms=0 total_check=0 count=0
for row in "${ROWS[@]}"; do
    IFS='|' read -r name source shapes operations lines ms <<<"$row"
    [ "$name" = amplifybackend-getbackendauth ] && continue
    echo "| \`$name\` | $source | $shapes | $operations | $lines | $ms | $(check_cell "$name") |"
    count=$((count + 1))
    total_shapes=$((total_shapes + shapes)) total_operations=$((total_operations + operations))
    total_lines=$((total_lines + lines)) total_ms=$((total_ms + ms))
    check=${CHECK[$name]}
    [ "$check" != FAILED ] && total_check=$((total_check + check))
done
echo "| **total ($count crates)** | | $total_shapes | $total_operations | $total_lines | $total_ms | $(secs "$total_check") |"
echo
echo "## AmplifyBackend: whole model against GetBackendAuth alone"
echo
echo "| crate | operations | shapes | lines | generate (ms) | cargo check (s) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
for row in "${ROWS[@]}"; do
    IFS='|' read -r name source shapes operations lines ms <<<"$row"
    case $name in
        amplifybackend) label="whole model (\`amplifybackend\`)" ;;
        amplifybackend-getbackendauth) label="\`--operation GetBackendAuth\` (\`amplifybackend-getbackendauth\`)" ;;
        *) continue ;;
    esac
    echo "| $label | $operations | $shapes | $lines | $ms | $(check_cell "$name") |"
done
echo
echo "## Peak memory"
echo
if [ -n "$PEAK" ]; then
    echo "Release CLI on \`quicksight-2018-04-01.json\` (2,348 shapes, 209 operations): maximum resident set size"
    echo "**$((PEAK / 1024)) MiB** ($PEAK kB), wall clock $ELAPSED (\`/usr/bin/time -v\`)."
else
    echo "Not measured: \`/usr/bin/time\` is missing (\`apt-get install time\`)."
fi
