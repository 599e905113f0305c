#!/usr/bin/env bash
# Compares the requests of the generated S3 client with botocore's for the cases of
# scripts/botocore/s3-cases.json (not run in CI: it installs botocore from PyPI).
#
#   scripts/compare-botocore.sh
#
# Installs botocore into target/botocore-venv, prints our requests with the `s3_requests`
# example of tests/aws-services, and runs scripts/botocore/compare.py over both.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/botocore-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet botocore
fi
ours=target/botocore-ours.jsonl
cargo run --quiet -p aws-services --example s3_requests -- scripts/botocore/s3-cases.json > "$ours"
"$venv/bin/python" scripts/botocore/compare.py scripts/botocore/s3-cases.json "$ours"
