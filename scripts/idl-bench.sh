#!/usr/bin/env bash
# The IDL reader against the JSON AST reader, on the same models: every model of ../shared
# (models/aws, models/aws-popular) is written as IDL (scripts/json-to-idl.py, under
# target/idl-bench/), read back, and `smithy-codegen ast` of both forms must be the same; then
# the largest is read ROUNDS times in each form and the medians are printed with their ratio.
#
# Usage: scripts/idl-bench.sh   (ROUNDS=9 scripts/idl-bench.sh for more rounds)
# Needs ../shared and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
OUT=target/idl-bench
cargo build --release --quiet -p smithy-codegen
CLI=target/release/smithy-codegen
rm -rf "$OUT" && mkdir -p "$OUT"
largest="" size=0 failures=0
for model in ../shared/models/aws/*.json ../shared/models/aws-popular/*.json; do
    name=$(basename "$model" .json)
    mkdir -p "$OUT/$name"
    python3 scripts/json-to-idl.py "$model" --out-dir "$OUT/$name"
    "$CLI" ast --model "$model" > "$OUT/$name.from-json"
    "$CLI" ast --model "$OUT/$name" > "$OUT/$name.from-idl"
    if cmp -s "$OUT/$name.from-json" "$OUT/$name.from-idl"; then
        echo "same model: $name"
    else
        echo "DIFFERENT: $name (diff $OUT/$name.from-json $OUT/$name.from-idl)"
        failures=$((failures + 1))
    fi
    bytes=$(cat "$OUT/$name"/*.smithy | wc -c)
    if [ "$bytes" -gt "$size" ]; then size=$bytes; largest=$name; fi
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_one() { local start end; start=$(date +%s%N); "$CLI" ast --model "$1" > /dev/null; end=$(date +%s%N); echo $(( (end - start) / 1000 )); }
json_model=$(ls ../shared/models/*/"$largest".json)
idl_times=() json_times=()
for _ in $(seq "$ROUNDS"); do
    idl_times+=("$(time_one "$OUT/$largest")")
    json_times+=("$(time_one "$json_model")")
done
idl=$(printf '%s\n' "${idl_times[@]}" | median)
json=$(printf '%s\n' "${json_times[@]}" | median)
echo "largest: $largest, IDL $(cat "$OUT/$largest"/*.smithy | wc -c) bytes, JSON $(wc -c < "$json_model") bytes"
echo "smithy-codegen ast, median of $ROUNDS: IDL ${idl} µs, JSON ${json} µs, IDL/JSON $(awk "BEGIN {printf \"%.2f\", $idl / $json}")"
[ "$failures" -eq 0 ]
