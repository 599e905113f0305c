#!/usr/bin/env bash
# Regenerates the AWS clients embedded in the runtime (runtime/src/aws/<module>/) from the
# published models in ../shared/models/aws-2026/, as runtime/src/aws/clients.txt lists them.
#
#   scripts/embedded-clients.sh          # rewrite the modules
#   scripts/embedded-clients.sh --check  # write nothing; fail when a module is stale (CI)
set -euo pipefail
cd "$(dirname "$0")/.."

command=generate
if [ "${1:-}" = "--check" ]; then
    command=check
fi
models=../shared/models/aws-2026
if [ ! -d "$models" ]; then
    echo "error: $models is missing: the embedded clients are generated from its models" >&2
    exit 1
fi
cargo build --locked --quiet -p smithy-codegen
status=0
while read -r module model operations; do
    case "$module" in '' | '#'*) continue ;; esac
    arguments=(--model "$models/$model" --out "runtime/src/aws/$module" --module "smithy_runtime::aws::$module")
    for operation in $operations; do
        arguments+=(--operation "$operation")
    done
    target/debug/smithy-codegen "$command" "${arguments[@]}" || status=1
done < runtime/src/aws/clients.txt
exit $status
