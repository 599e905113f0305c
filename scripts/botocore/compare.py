"""Compares the requests of the generated S3 client with botocore's for the same inputs.

Reads the cases (scripts/botocore/s3-cases.json) and our requests (JSON lines from the
`s3_requests` example), makes each case's request with botocore (the reference the seed page
documents) for us-west-2 without sending it, and reports, per case, what differs: method, URL
(host, path, query parameters in any order), body (XML compared as canonical XML), and the
headers that carry the input (every header but those of signing, time, user agent and
transport). Prints a summary line: cases compared, cases equal.
"""

import json
import sys
import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, unquote, urlsplit

import botocore.session

IGNORED_HEADERS = {
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "user-agent",
    "x-amz-user-agent",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
    "expect",
    "host",
    "accept-encoding",
}


class Captured(Exception):
    pass


def botocore_request(client, operation, params):
    captured = {}

    def capture(request, **_):
        captured["request"] = request
        raise Captured()

    client.meta.events.register("before-send.s3", capture)
    try:
        getattr(client, botocore_name(operation))(**params)
    except Captured:
        pass
    finally:
        client.meta.events.unregister("before-send.s3", capture)
    request = captured["request"]
    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode()
    return {
        "method": request.method,
        "url": request.url,
        "headers": {name.lower(): value.decode() if isinstance(value, bytes) else value for name, value in request.headers.items()},
        "body": (body or b"").decode("utf-8", "replace"),
    }


def botocore_name(operation):
    out = ""
    for index, char in enumerate(operation):
        if char.isupper() and index > 0 and not operation[index - 1].isupper():
            out += "_"
        elif char.isupper() and index > 0 and index + 1 < len(operation) and operation[index + 1].islower() and operation[index - 1].isupper():
            out += "_"
        out += char.lower()
    return out.replace("list_objects_v2", "list_objects_v2")


def canonical_xml(text):
    try:
        return ET.canonicalize(text, strip_text=True)
    except Exception:
        return None


# Differences that are explained, each by what it is: (test, reason). A test gets the
# difference's kind ("method", "host", "path", "query", "body", "header") and detail and both
# requests.
def chunked(theirs):
    return theirs["headers"].get("content-encoding") == "aws-chunked"


def trailer_checksum(theirs):
    """The checksum header botocore sends in the aws-chunked trailer, as (name, value)."""
    body = theirs["body"]
    for line in body.split("\r\n"):
        if line.startswith("x-amz-checksum-") and ":" in line:
            name, value = line.split(":", 1)
            return name, value
    return None


EXPLAINED = [
    (
        lambda kind, detail, ours, theirs: kind == "query" and dict(detail[0]).get("x-id") and not dict(detail[1]).get("x-id")
        and {k: v for k, v in detail[0] if k != "x-id"} == dict(detail[1]),
        "`x-id=<Operation>`: the Smithy model's URIs carry it (the official Rust and Java SDKs send it too); S3 ignores it",
    ),
    (
        lambda kind, detail, ours, theirs: chunked(theirs)
        and (
            (kind == "body" and ours["body"] in theirs["body"])
            or (kind == "header" and detail[0] in {
                "content-encoding", "transfer-encoding", "x-amz-decoded-content-length", "x-amz-trailer",
                "content-length", "x-amz-content-sha256",
            })
            or (kind == "header" and detail[0].startswith("x-amz-checksum-") and trailer_checksum(theirs) == (detail[0], detail[1]))
        ),
        "botocore streams the body aws-chunked with its checksum in a trailer; ours sends the same bytes whole, signed, with the same checksum (same value) in a header",
    ),
    (
        lambda kind, detail, ours, theirs: kind == "header" and detail[0] == "content-type" and detail[1] == "application/octet-stream" and detail[2] is None,
        "a blob payload without a Content-Type is `application/octet-stream`, as the restXml protocol says; botocore sends none",
    ),
    (
        lambda kind, detail, ours, theirs: kind == "header" and detail[0] == "content-type" and detail[1] == "application/xml" and detail[2] is None,
        "an XML payload is `application/xml`, as the restXml protocol says; botocore sends none",
    ),
    (
        lambda kind, detail, ours, theirs: kind == "query" and dict(detail[1]).get("encoding-type") == "url" and "encoding-type" not in dict(detail[0])
        and {k: v for k, v in detail[1] if k != "encoding-type"} == {k: v for k, v in detail[0] if k != "x-id"},
        "botocore asks ListObjects for URL-encoded keys (`encoding-type=url`) and decodes them itself; ours asks for keys as they are",
    ),
    (
        lambda kind, detail, ours, theirs: kind == "header" and detail[0] == "content-length" and detail[1] is None and detail[2] == "0" and ours["method"] in ("GET", "HEAD", "DELETE"),
        "botocore says `Content-Length: 0` on every request without a body; ours only on methods that have bodies",
    ),
    (
        lambda kind, detail, ours, theirs: kind == "header" and detail[0] == "x-amz-copy-source" and detail[2] is not None and unquote(detail[2]) == detail[1],
        "botocore percent-encodes `CopySource`; ours sends it as given (the model asks the caller to encode it, as the official Rust SDK does)",
    ),
    (
        lambda kind, detail, ours, theirs: kind == "body" and canonical_xml(ours["body"]) is not None
        and sorted_xml(ours["body"]) == sorted_xml(theirs["body"]),
        "XML elements in another order: ours follows the Smithy model's member order, botocore its own model's; S3 reads either",
    ),
    (
        lambda kind, detail, ours, theirs: kind == "header" and detail[0] == "x-amz-content-sha256" and ours["body"] != theirs["body"]
        and sorted_xml(ours["body"]) is not None and sorted_xml(ours["body"]) == sorted_xml(theirs["body"]),
        "the hash of a body whose elements come in another order (above)",
    ),
    (
        lambda kind, detail, ours, theirs: ours["name"] == "get-bucket-location" and kind in ("host", "path"),
        "GetBucketLocation: botocore addresses the bucket by path; the S3 endpoint rules (which the official Rust SDK follows too) address it by host",
    ),
]


def sorted_xml(text):
    try:
        root = ET.fromstring(text)
    except Exception:
        return None

    def key(element):
        return (element.tag, sorted(element.attrib.items()), (element.text or "").strip(), [key(child) for child in sorted(element, key=lambda c: c.tag)])

    return key(root)


def differences(ours, theirs):
    found = []
    if ours["method"] != theirs["method"]:
        found.append(("method", (ours["method"], theirs["method"])))
    a, b = urlsplit(ours["url"]), urlsplit(theirs["url"])
    if (a.scheme, a.netloc) != (b.scheme, b.netloc):
        found.append(("host", (f"{a.scheme}://{a.netloc}", f"{b.scheme}://{b.netloc}")))
    if a.path != b.path:
        found.append(("path", (a.path, b.path)))
    qa, qb = sorted(parse_qsl(a.query, keep_blank_values=True)), sorted(parse_qsl(b.query, keep_blank_values=True))
    if qa != qb:
        found.append(("query", (qa, qb)))
    if ours["body"] != theirs["body"]:
        xa, xb = canonical_xml(ours["body"]), canonical_xml(theirs["body"])
        if xa is None or xa != xb:
            found.append(("body", (ours["body"], theirs["body"])))
    ha = {k.lower(): v for k, v in ours["headers"].items() if k.lower() not in IGNORED_HEADERS}
    hb = {k.lower(): v for k, v in theirs["headers"].items() if k.lower() not in IGNORED_HEADERS}
    for name in sorted(set(ha) | set(hb)):
        if ha.get(name) != hb.get(name):
            found.append(("header", (name, ha.get(name), hb.get(name))))
    return found


def explanation(kind, detail, ours, theirs):
    for test, reason in EXPLAINED:
        try:
            if test(kind, detail, ours, theirs):
                return reason
        except Exception:
            continue
    return None


def main():
    cases_path, ours_path = sys.argv[1], sys.argv[2]
    cases = json.load(open(cases_path))
    ours = {line["name"]: line for line in map(json.loads, open(ours_path))}
    session = botocore.session.get_session()
    client = session.create_client(
        "s3",
        region_name="us-west-2",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    )
    equal = explained = 0
    reasons = {}
    for case in cases:
        params = dict(case["params"])
        if "body" in case:
            params["Body"] = case["body"].encode()
        theirs = botocore_request(client, case["operation"], params)
        mine = ours.get(case["name"])
        if mine is None or "error" in mine:
            print(f"{case['name']}: ours failed: {mine and mine.get('error')}")
            continue
        found = differences(mine, theirs)
        unexplained = []
        for kind, detail in found:
            reason = explanation(kind, detail, mine, theirs)
            if reason is None:
                unexplained.append((kind, detail))
            else:
                reasons.setdefault(reason, []).append(case["name"])
        if not found:
            equal += 1
            print(f"{case['name']}: equal")
        elif not unexplained:
            explained += 1
            print(f"{case['name']}: equal but for explained differences")
        else:
            print(f"{case['name']}: {len(unexplained)} unexplained difference(s)")
            for kind, detail in unexplained:
                print(f"    {kind}: ours {detail[-2]!r}, botocore {detail[-1]!r}" if kind == "header" else f"    {kind}: ours {detail[0]!r}, botocore {detail[1]!r}")
    print()
    print("Explained differences:")
    for reason, names in reasons.items():
        print(f"- {reason} ({', '.join(sorted(set(names)))})")
    print()
    print(
        f"botocore {botocore.__version__}: {len(cases)} cases compared, {equal} equal, "
        f"{explained} equal but for explained differences, {len(cases) - equal - explained} with unexplained differences"
    )


if __name__ == "__main__":
    main()
