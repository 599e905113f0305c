#!/usr/bin/env bash
# Fuzzes the generator and the runtime for a bounded time: scripts/fuzz.sh [SECONDS] [TARGETS]
# (default 300 s for each target in turn). Generator targets: generate, idl, json. Runtime targets:
# request_rest_json1, request_aws_json1_0, request_aws_json1_1 (whole requests through a generated
# server), json_body, cbor_body (the bodies of an rpcv2Cbor server), primitives, endpoint_rules,
# endpoint_rule_bytes, profile, event_stream (event-stream messages and aws-chunked content).
# Seeds: the models of ../shared (JSON), the IDL loader tests of ../shared/idl-tests, model/ and
# tests/models/, the endpoint rule sets of the AWS models, and a few requests, bodies, values and
# profile files written here (all copied under target/, not the repo).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
targets="${2:-generate idl json request_rest_json1 request_aws_json1_0 request_aws_json1_1 json_body cbor_body primitives endpoint_rules endpoint_rule_bytes profile event_stream}"
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
shared=../shared
[ -d "$shared" ] || echo "WARNING: $shared is missing; seeding with this repository's models only" >&2
for target in $targets; do
    corpus=target/fuzz-corpus/$target
    mkdir -p "$corpus"
    case "$target" in
        idl)
            [ -d "$shared/idl-tests" ] && find "$shared/idl-tests" -name '*.smithy' -exec cp {} "$corpus"/ \;
            cp model/*.smithy "$corpus"/
            ;;
        request_*)
            printf 'PUT /things/a1/b/c?color=RED&n=1&n=2&k=v\ncontent-type: application/json\nx-count: 3\nx-tags: a, "b,c"\nx-meta-one: 1\nx-when: 1.5\n\n{"name":"abc","items":[{"key":"k","weight":2}],"unique":["a","b"],"shape":{"circle":1.5},"nested":{"inner":{"value":"x"}},"data":"YWJj","at":1.5,"level":1}' >"$corpus/rest"
            printf 'POST /\ncontent-type: application/x-amz-json-1.0\nx-amz-target: Fuzz.Put\n\n{"id":"a","rest":"b","name":"abc","items":[{"key":"k"}],"kinds":["RED"],"shape":{"points":[]},"big":1.5e3}' >"$corpus/json10"
            printf 'POST /\ncontent-type: application/x-amz-json-1.1\nx-amz-target: Fuzz.Get\n\n{"id":"a"}' >"$corpus/json11"
            printf 'GET /things/abc\n\n' >"$corpus/get"
            ;;
        json_body)
            printf '{"id":"a","rest":"b","name":"abc","items":[{"key":"k","tags":{"a":"b"}}],"unique":["a","a"],"kinds":["RED","PINK"],"shape":{"square":{"key":"q"}},"nested":{"inner":{"inner":{}}},"doc":{"a":[1,null,true]},"ratio":"NaN","httpAt":"Tue, 29 Apr 2014 18:30:38 GMT"}' >"$corpus/put"
            ;;
        cbor_body)
            # {"id": "a", "rest": "b", "name": "abc", "items": [{"key": "k", "weight": 2}],
            # "at": tag 1 of 1.5, "ratio": half-float infinity}, and the same indefinite-length.
            printf '\xa6\x62id\x61a\x64rest\x61b\x64name\x63abc\x65items\x81\xa2\x63key\x61k\x66weight\x02\x62at\xc1\xfb\x3f\xf8\x00\x00\x00\x00\x00\x00\x65ratio\xf9\x7c\x00' >"$corpus/put"
            printf '\xbf\x62id\x7f\x61a\xff\x64rest\x61b\x65items\x9f\xbf\x63key\x61k\xff\xff\xff' >"$corpus/indefinite"
            ;;
        primitives)
            printf '1985-04-12T23:20:50.52Z' >"$corpus/date-time"
            printf '1996-12-19T16:39:57-08:00' >"$corpus/offset"
            printf 'Tue, 29 Apr 2014 18:30:38 GMT' >"$corpus/http-date"
            printf -- '-9223372036854775808.5' >"$corpus/epoch"
            printf '%%E2%%9C%%93 a+b' >"$corpus/percent"
            ;;
        endpoint_rule_bytes)
            # The rule sets the runtime's embedded clients hold, as bytes, without the header the
            # target adds.
            python3 - "$corpus" <<'PY'
import glob, os, re, sys
corpus = sys.argv[1]
for path in sorted(glob.glob("runtime/src/aws/*/schema.rs")):
    found = re.search(r'EndpointRules::Compiled\(\s*b"((?:[^"\\]|\\.)*)"', open(path).read())
    if found:
        data = found.group(1).encode("ascii").decode("unicode_escape").encode("latin-1")
        name = os.path.basename(os.path.dirname(path))
        open(os.path.join(corpus, name), "wb").write(data[4:])
PY
            ;;
        endpoint_rules)
            if [ -d "$shared" ]; then
                python3 - "$shared" "$corpus" <<'PY'
import glob, json, os, sys
shared, corpus = sys.argv[1], sys.argv[2]
for path in sorted(glob.glob(os.path.join(shared, "models", "*", "*.json"))):
    shapes = json.load(open(path)).get("shapes", {})
    for shape in shapes.values():
        rules = shape.get("traits", {}).get("smithy.rules#endpointRuleSet")
        if rules:
            name = os.path.basename(path)
            json.dump(rules, open(os.path.join(corpus, name), "w"))
PY
            fi
            ;;
        event_stream)
            # A split byte, then two messages: an event with string and timestamp headers and a
            # JSON payload, and an empty one.
            python3 - "$corpus" <<'PY'
import struct, sys, zlib
def header(name, kind, value):
    return bytes([len(name)]) + name + bytes([kind]) + value
def string(text):
    return struct.pack(">H", len(text)) + text
def message(headers, payload):
    total = 12 + len(headers) + len(payload) + 4
    prelude = struct.pack(">II", total, len(headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + headers + payload
    return body + struct.pack(">I", zlib.crc32(body))
headers = header(b":message-type", 7, string(b"event")) + header(b":event-type", 7, string(b"delta"))
headers += header(b":date", 8, struct.pack(">q", 1700000000000))
seed = bytes([7]) + message(headers, b'{"text":"hi"}') + message(b"", b"")
open(sys.argv[1] + "/messages", "wb").write(seed)
PY
            ;;
        profile)
            printf '[default]\nregion = us-west-2\naws_access_key_id = AKID\naws_secret_access_key = secret\n\n[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/r\nsource_profile = default\ns3 =\n  max_concurrent_requests = 10\n\n[sso-session s]\nsso_region = us-east-1\n\n[services x]\ns3 =\n  endpoint_url = http://localhost\n=====\n[default]\naws_session_token = token\n' >"$corpus/config"
            ;;
        *)
            if [ -d "$shared" ]; then
                cp "$shared"/models/aws/*.json "$shared"/models/aws-popular/*.json "$corpus"/ 2>/dev/null || true
                cp "$shared"/protocol-tests/aws-protocol-tests.json "$corpus"/
                [ "$target" = json ] && find "$shared/idl-tests" -name '*.json' -exec cp {} "$corpus"/ \;
            fi
            cp model/*.json tests/models/*.json "$corpus"/
            ;;
    esac
    case "$target" in
        generate | idl | json) max_len=8000000 ;;
        *) max_len=1048576 ;;
    esac
    echo "==> fuzzing $target for $seconds s"
    # -rss_limit_mb: the largest seeds are a few MB of JSON (a request may ask for no more than
    # the server's limits allow); -timeout flags any input that takes more than 20 s as a hang.
    (cd fuzz && cargo +nightly fuzz run "$target" "../$corpus" -- \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len="$max_len" -print_final_stats=1)
done
