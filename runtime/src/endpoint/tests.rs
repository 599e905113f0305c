//! Unit tests of the endpoint rules engine: the library functions one by one, then rule sets
//! that parse or do not, and resolution.

use std::sync::Arc;

use serde_json::{json, Value as Json};

use super::aws::{is_virtual_hostable_s3_bucket, parse_arn};
use super::functions::{is_valid_host_label, normalize_path, parse_url, split, substring, uri_encode, SplitError};
use super::*;

/// `parseURL`'s fields for `url`, as strings.
fn url_fields(url: &str) -> Option<(String, String, String, String, bool)> {
    let parts = parse_url(url)?;
    let path = &url[parts.path.clone()];
    Some((
        url[parts.scheme].to_owned(),
        url[parts.authority].to_owned(),
        path.to_owned(),
        normalize_path(path).into_owned(),
        parts.is_ip,
    ))
}

#[test]
fn parse_url_accepts_http_urls() {
    let owned = |scheme: &str, authority: &str, path: &str, normalized: &str, is_ip| {
        Some((
            scheme.to_owned(),
            authority.to_owned(),
            path.to_owned(),
            normalized.to_owned(),
            is_ip,
        ))
    };
    assert_eq!(
        url_fields("https://example.com"),
        owned("https", "example.com", "", "/", false)
    );
    assert_eq!(
        url_fields("http://example.com:80/foo/bar"),
        owned("http", "example.com:80", "/foo/bar", "/foo/bar/", false)
    );
    assert_eq!(
        url_fields("https://127.0.0.1"),
        owned("https", "127.0.0.1", "", "/", true)
    );
    assert_eq!(
        url_fields("https://[fe80::1]"),
        owned("https", "[fe80::1]", "", "/", true)
    );
    assert_eq!(
        url_fields("https://[fe80::1]:8443/a/"),
        owned("https", "[fe80::1]:8443", "/a/", "/a/", true)
    );
    assert_eq!(
        url_fields("http://10.0.1.12:433"),
        owned("http", "10.0.1.12:433", "", "/", true)
    );
    assert_eq!(
        url_fields("HTTPS://Example.com/"),
        owned("HTTPS", "Example.com", "/", "/", false)
    );
    // Four groups of digits, but one has a leading zero: a host name, not an address.
    assert_eq!(url_fields("https://1.02.3.4").map(|fields| fields.4), Some(false));
    assert_eq!(url_fields("https://1.2.3").map(|fields| fields.4), Some(false));
}

#[test]
fn parse_url_refuses_the_rest() {
    for url in [
        "https://example.com:8443?foo=bar&faz=baz",
        "https://example.com/path?query",
        "https://example.com#fragment",
        "abcde://nota#url",
        "ftp://example.com",
        "example.com",
        "https://",
        "https:///path",
        "https://example.com:",
        "https://example.com:99999",
        "https://example.com:8a",
        "https://user:password@example.com",
        "https://exa mple.com",
        "https://example.com/a b",
        "https://[fe80::1",
        "https://[]",
        "https://[fe80::1]x",
        "https://fe80::1",
        "",
    ] {
        assert_eq!(parse_url(url), None, "{url}");
    }
}

#[test]
fn normalize_path_adds_slashes() {
    assert_eq!(normalize_path(""), "/");
    assert_eq!(normalize_path("/"), "/");
    assert_eq!(normalize_path("/a"), "/a/");
    assert_eq!(normalize_path("a/"), "/a/");
    assert_eq!(normalize_path("a"), "/a/");
    assert_eq!(normalize_path("/a/b/"), "/a/b/");
}

#[test]
fn substring_counts_ascii_bytes() {
    let sub =
        |input: &'static str, start, stop, reverse| substring(input, start, stop, reverse).map(|range| &input[range]);
    assert_eq!(sub("abcdefg", 0, 4, false), Some("abcd"));
    assert_eq!(sub("abcdefg", 0, 4, true), Some("defg"));
    assert_eq!(sub("abcdefg", 1, 3, true), Some("ef"));
    assert_eq!(sub("abcdefg", 0, 7, false), Some("abcdefg"));
    assert_eq!(sub("abcdefg", 0, 8, false), None);
    assert_eq!(sub("abcdefg", 4, 4, false), None);
    assert_eq!(sub("abcdefg", 5, 2, false), None);
    assert_eq!(sub("abcdefg", -1, 2, false), None);
    assert_eq!(sub("abcdefg", 0, -2, false), None);
    assert_eq!(sub("", 0, 1, false), None);
    // Not ASCII anywhere in the input: unset, even where the slice would be ASCII.
    assert_eq!(sub("abcdé", 0, 2, false), None);
    assert_eq!(sub("\u{1F600}abcd", 0, 2, true), None);
}

#[test]
fn uri_encode_keeps_unreserved_characters_only() {
    assert_eq!(uri_encode("abcXYZ019-_.~"), "abcXYZ019-_.~");
    assert_eq!(
        uri_encode("/:,?#[]{}|@! $&'()*+;=%<>\"^`\\"),
        "%2F%3A%2C%3F%23%5B%5D%7B%7D%7C%40%21%20%24%26%27%28%29%2A%2B%3B%3D%25%3C%3E%22%5E%60%5C"
    );
    assert_eq!(uri_encode("é😀"), "%C3%A9%F0%9F%98%80");
    assert_eq!(uri_encode(""), "");
}

#[test]
fn is_valid_host_label_follows_rfc_1123() {
    assert!(is_valid_host_label("a", false));
    assert!(is_valid_host_label("us-east-1", false));
    assert!(is_valid_host_label("0abc", false));
    assert!(is_valid_host_label("abc-", false));
    assert!(is_valid_host_label(&"a".repeat(63), false));
    assert!(!is_valid_host_label(&"a".repeat(64), false));
    assert!(!is_valid_host_label("", false));
    assert!(!is_valid_host_label("-abc", false));
    assert!(!is_valid_host_label("a_b", false));
    assert!(!is_valid_host_label("a.b", false));
    assert!(!is_valid_host_label("us-east-1 ", false));
    assert!(!is_valid_host_label("é", false));

    assert!(is_valid_host_label("a.b", true));
    assert!(is_valid_host_label("foo.bar-baz.1", true));
    assert!(is_valid_host_label(&format!("{0}.{0}", "a".repeat(63)), true));
    assert!(!is_valid_host_label(&format!("{}.b", "a".repeat(64)), true));
    assert!(!is_valid_host_label("a..b", true));
    assert!(!is_valid_host_label(".a", true));
    assert!(!is_valid_host_label("a.", true));
    assert!(!is_valid_host_label("a.-b", true));
    assert!(!is_valid_host_label("", true));
}

#[test]
fn split_follows_the_specification_table() {
    let parts = |input: &'static str, delimiter, limit| {
        split(input, delimiter, limit).map(|ranges| ranges.into_iter().map(|range| &input[range]).collect::<Vec<_>>())
    };
    assert_eq!(parts("a--b--c", "--", 0), Ok(vec!["a", "b", "c"]));
    assert_eq!(parts("a--b--c", "--", 2), Ok(vec!["a", "b--c"]));
    assert_eq!(parts("a--b--c", "--", 1), Ok(vec!["a--b--c"]));
    assert_eq!(parts("", "--", 0), Ok(vec![""]));
    assert_eq!(parts("--", "--", 0), Ok(vec!["", ""]));
    assert_eq!(parts("----", "--", 0), Ok(vec!["", "", ""]));
    assert_eq!(parts("--b--", "--", 0), Ok(vec!["", "b", ""]));
    assert_eq!(
        parts("--x-s3--azid--suffix", "--", 0),
        Ok(vec!["", "x-s3", "azid", "suffix"])
    );
    assert_eq!(
        parts("--x-s3--azid--suffix", "--", 2),
        Ok(vec!["", "x-s3--azid--suffix"])
    );
    assert_eq!(parts("abc", "x", 0), Ok(vec!["abc"]));
    assert_eq!(parts("mybucket", "--", 1), Ok(vec!["mybucket"]));
    assert_eq!(parts("a", "", 0), Err(SplitError::EmptyDelimiter));
    assert_eq!(parts("a", "-", -1), Err(SplitError::NegativeLimit));
}

#[test]
fn parse_arn_splits_fields_and_resource() {
    let fields = |arn: &'static str| {
        parse_arn(arn).map(|parts| {
            (
                &arn[parts.partition],
                &arn[parts.service],
                &arn[parts.region],
                &arn[parts.account_id],
                parts
                    .resource_id
                    .into_iter()
                    .map(|range| &arn[range])
                    .collect::<Vec<_>>(),
            )
        })
    };
    assert_eq!(
        fields("arn:aws:sns:us-west-2:012345678910:example-sns-topic-name"),
        Some((
            "aws",
            "sns",
            "us-west-2",
            "012345678910",
            vec!["example-sns-topic-name"]
        ))
    );
    assert_eq!(
        fields("arn:aws:ec2:us-east-1:012345678910:vpc/vpc-0e9801d129EXAMPLE"),
        Some((
            "aws",
            "ec2",
            "us-east-1",
            "012345678910",
            vec!["vpc", "vpc-0e9801d129EXAMPLE"]
        ))
    );
    assert_eq!(
        fields("arn:aws:iam::012345678910:user/johndoe"),
        Some(("aws", "iam", "", "012345678910", vec!["user", "johndoe"]))
    );
    assert_eq!(
        fields("arn:aws:s3:::bucket_name"),
        Some(("aws", "s3", "", "", vec!["bucket_name"]))
    );
    assert_eq!(
        fields("arn:aws:s3:us-west-2:123456789012:accesspoint:my:ap/x"),
        Some((
            "aws",
            "s3",
            "us-west-2",
            "123456789012",
            vec!["accesspoint", "my", "ap", "x"]
        ))
    );
    assert_eq!(
        fields("arn:aws:s3:us-west-2:123:a//"),
        Some(("aws", "s3", "us-west-2", "123", vec!["a", "", ""]))
    );
    for invalid in [
        "11111111-2222-3333-4444-555555555555",
        "arn:aws:s3:us-west-2:123456789012:",
        "arn::s3:us-west-2:123456789012:bucket",
        "arn:aws::us-west-2:123456789012:bucket",
        "arn:aws:s3:us-west-2",
        "arn:aws:s3:us-west-2:123456789012",
        "arn:a:b",
        "ARN:aws:s3:::bucket",
        "",
    ] {
        assert_eq!(fields(invalid), None, "{invalid}");
    }
}

#[test]
fn virtual_hostable_s3_buckets() {
    assert!(is_virtual_hostable_s3_bucket("bucket", false));
    assert!(is_virtual_hostable_s3_bucket("my-bucket-1", false));
    assert!(is_virtual_hostable_s3_bucket("abc", false));
    assert!(is_virtual_hostable_s3_bucket(&"a".repeat(63), false));
    assert!(!is_virtual_hostable_s3_bucket(&"a".repeat(64), false));
    assert!(!is_virtual_hostable_s3_bucket("ab", false));
    assert!(!is_virtual_hostable_s3_bucket("Bucket", false));
    assert!(!is_virtual_hostable_s3_bucket("bucket-", false));
    assert!(!is_virtual_hostable_s3_bucket("-bucket", false));
    assert!(!is_virtual_hostable_s3_bucket("bucket_name", false));
    assert!(!is_virtual_hostable_s3_bucket("my.bucket", false));
    assert!(!is_virtual_hostable_s3_bucket("", false));

    assert!(is_virtual_hostable_s3_bucket("my.bucket", true));
    assert!(is_virtual_hostable_s3_bucket("a.b-c.d", true));
    assert!(!is_virtual_hostable_s3_bucket("my..bucket", true));
    assert!(!is_virtual_hostable_s3_bucket("my-.bucket", true));
    assert!(!is_virtual_hostable_s3_bucket("my.-bucket", true));
    assert!(!is_virtual_hostable_s3_bucket("My.bucket", true));
    assert!(!is_virtual_hostable_s3_bucket("192.168.5.4", true));
    assert!(is_virtual_hostable_s3_bucket("192.168.5.4.5", true));
    assert!(!is_virtual_hostable_s3_bucket("a", true));
}

#[test]
fn partitions_find_regions() {
    let partitions = Partitions::from_json(AWS_PARTITIONS_JSON).unwrap();
    let name = |region| partitions.partition(region).map(|outputs| outputs.name.as_str());
    // Listed regions, then the regions' patterns, then the `aws` partition.
    assert_eq!(name("us-east-1"), Some("aws"));
    assert_eq!(name("cn-north-1"), Some("aws-cn"));
    assert_eq!(name("us-gov-west-1"), Some("aws-us-gov"));
    assert_eq!(name("aws-global"), Some("aws"));
    assert_eq!(name("aws-us-gov-global"), Some("aws-us-gov"));
    assert_eq!(name("us-gov-north-9"), Some("aws-us-gov"));
    assert_eq!(name("us-isob-west-7"), Some("aws-iso-b"));
    assert_eq!(name("eu-isoe-north-2"), Some("aws-iso-e"));
    assert_eq!(name("eu-central-42"), Some("aws"));
    assert_eq!(name("cn-east-9"), Some("aws-cn"));
    assert_eq!(name("invalid-region"), Some("aws"));
    assert_eq!(name(""), Some("aws"));
    let china = partitions.partition("cn-northwest-1").unwrap();
    assert_eq!(china.dns_suffix, "amazonaws.com.cn");
    assert_eq!(china.dual_stack_dns_suffix, "api.amazonwebservices.com.cn");
    assert_eq!(china.implicit_global_region, "cn-northwest-1");
    assert!(china.supports_fips && china.supports_dual_stack);
    // The embedded partitions, whose patterns are matched as plain ones, agree with the
    // partitions read (and compiled) from the same file.
    for region in [
        "us-west-2",
        "us-gov-north-9",
        "us-isob-west-7",
        "cn-east-9",
        "eu-central-42",
        "moon-süd-1",
        "",
    ] {
        assert_eq!(
            Partitions::aws().partition(region),
            partitions.partition(region),
            "{region}"
        );
    }
}

fn custom_partitions() -> Partitions {
    Partitions::from_json(
        &json!({
            "version": "1.1",
            "partitions": [
                {
                    "id": "moon",
                    "regionRegex": "^moon-\\w+-\\d+$",
                    "outputs": {
                        "name": "moon", "dnsSuffix": "moon.example", "dualStackDnsSuffix": "dual.moon.example",
                        "supportsFIPS": false, "supportsDualStack": true
                    },
                    "regions": {
                        "moon-east-1": {},
                        "moon-dark-1": {"dnsSuffix": "dark.moon.example", "supportsDualStack": false}
                    }
                },
                {
                    "id": "mars",
                    "regionRegex": "mars-\\d+",
                    "outputs": {
                        "dnsSuffix": "mars.example", "dualStackDnsSuffix": "dual.mars.example",
                        "supportsFIPS": true, "supportsDualStack": false, "implicitGlobalRegion": "mars-1"
                    },
                    "regions": {"moon-east-1": {}}
                }
            ]
        })
        .to_string(),
    )
    .unwrap()
}

#[test]
fn partitions_without_aws_have_no_fallback() {
    let partitions = custom_partitions();
    let outputs = |region| partitions.partition(region);
    assert_eq!(outputs("moon-east-1").unwrap().name, "moon");
    assert_eq!(outputs("moon-east-1").unwrap().dns_suffix, "moon.example");
    assert_eq!(outputs("moon-east-1").unwrap().implicit_global_region, "");
    // A region's own outputs override its partition's.
    let dark = outputs("moon-dark-1").unwrap();
    assert_eq!(
        (dark.name.as_str(), dark.dns_suffix.as_str()),
        ("moon", "dark.moon.example")
    );
    assert!(!dark.supports_dual_stack);
    assert_eq!(outputs("moon-west-3").unwrap().dns_suffix, "moon.example");
    assert_eq!(outputs("mars-7").unwrap().name, "mars");
    // The pattern must match the whole region.
    assert_eq!(outputs("mars-7x"), None);
    assert_eq!(outputs("us-east-1"), None);
    // `\w` and `\d` are ASCII classes, as in the Java patterns the data is written for.
    assert_eq!(outputs("moon-süd-1"), None);
    assert_eq!(outputs("moon-east-\u{0661}"), None);
    assert_eq!(outputs("moon-s_d-12").unwrap().name, "moon");
}

#[test]
fn a_region_pattern_that_needs_unicode_is_compiled_with_it() {
    let partitions = Partitions::from_json(
        &json!({"partitions": [{"id": "dot", "regionRegex": "^dot-.$", "outputs": {
            "dnsSuffix": "a", "dualStackDnsSuffix": "b", "supportsFIPS": false, "supportsDualStack": false
        }}]})
        .to_string(),
    )
    .unwrap();
    assert_eq!(partitions.partition("dot-é").unwrap().dns_suffix, "a");
    assert_eq!(partitions.partition("dot-ab"), None);
}

#[test]
fn bad_partitions_data_names_the_path() {
    let error = |json: Json| Partitions::from_json(&json.to_string()).unwrap_err().to_string();
    assert_eq!(error(json!({})), "partitions: expected an array of partitions");
    assert_eq!(
        error(json!({"partitions": [{"id": "x", "regionRegex": "(", "outputs": {
            "dnsSuffix": "a", "dualStackDnsSuffix": "b", "supportsFIPS": true, "supportsDualStack": true
        }}]}))
        .split(':')
        .next(),
        Some("partitions[0].regionRegex")
    );
    assert_eq!(
        error(json!({"partitions": [{"id": "x", "regionRegex": "x", "outputs": {"dnsSuffix": "a"}}]})),
        "partitions[0].outputs.dualStackDnsSuffix: expected a string"
    );
    assert!(Partitions::from_json("{")
        .unwrap_err()
        .to_string()
        .starts_with("invalid JSON"));
}

/// A rule set with the standard AWS parameters and `rules`.
fn rule_set(rules: Json) -> RuleSet {
    try_rule_set(rules).unwrap_or_else(|error| panic!("{error}"))
}

/// The rule set read from JSON, then written as bytes and read back (checked to be the same), so
/// that every test below runs on what a generated client reads.
fn try_rule_set(rules: Json) -> Result<RuleSet, RuleSetError> {
    json_rule_set(rules).map(super::packed::tests::round_trip)
}

fn json_rule_set(rules: Json) -> Result<RuleSet, RuleSetError> {
    RuleSet::from_value(&json!({
        "version": "1.0",
        "parameters": {
            "Region": {"type": "String", "builtIn": "AWS::Region", "required": false, "documentation": "The region."},
            "UseFIPS": {"type": "Boolean", "builtIn": "AWS::UseFIPS", "required": true, "default": false, "documentation": "FIPS."},
            "Endpoint": {"type": "String", "builtIn": "SDK::Endpoint", "documentation": "A custom endpoint."},
            "Names": {"type": "stringArray", "documentation": "Some names.", "default": ["first", "second"], "required": true}
        },
        "rules": rules
    }))
}

fn endpoint_rule(conditions: Json, url: &str) -> Json {
    json!({"type": "endpoint", "conditions": conditions, "endpoint": {"url": url}})
}

/// The URL, or the error's message.
fn resolve(rule_set: &RuleSet, params: &Params) -> Result<String, String> {
    rule_set
        .resolve(params)
        .map(|endpoint| endpoint.url)
        .map_err(|error| error.to_string())
}

fn region(region: &str) -> Params {
    Params::new().with("Region", region)
}

#[test]
fn templates_fill_in_values_and_unescape_braces() {
    let rules = rule_set(json!([
        {
            "type": "endpoint",
            "conditions": [
                {"fn": "isSet", "argv": [{"ref": "Region"}]},
                {"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "PartitionResult"}
            ],
            "endpoint": {
                "url": "https://{{svc}}.{Region}.{PartitionResult#dnsSuffix}/}}{Names#[1]}",
                "headers": {"x-region": ["{Region}", "static", "{{literal}}"]},
                "properties": {
                    "authSchemes": [{"name": "sigv4", "signingRegion": "{Region}", "disableDoubleEncoding": true}],
                    "nested": {"list": [1, null, "{PartitionResult#name}"], "names": "{Names#[0]}"}
                }
            }
        }
    ]));
    let endpoint = rules.resolve(&region("cn-north-1")).unwrap();
    assert_eq!(endpoint.url, "https://{svc}.cn-north-1.amazonaws.com.cn/}second");
    assert_eq!(
        endpoint.headers.get("x-region"),
        Some(&vec![
            "cn-north-1".to_owned(),
            "static".to_owned(),
            "{literal}".to_owned()
        ])
    );
    assert_eq!(
        Json::Object(endpoint.properties.clone()),
        json!({
            "authSchemes": [{"name": "sigv4", "signingRegion": "cn-north-1", "disableDoubleEncoding": true}],
            "nested": {"list": [1, null, "aws-cn"], "names": "first"}
        })
    );
    let schemes = endpoint.auth_schemes();
    assert_eq!(schemes.len(), 1);
    assert_eq!(schemes[0].name, "sigv4");
    assert_eq!(schemes[0].signing_region.as_deref(), Some("cn-north-1"));
    assert_eq!(schemes[0].signing_name, None);
    assert_eq!(schemes[0].disable_double_encoding, Some(true));
}

#[test]
fn template_errors_name_the_path() {
    let error = |url: &str| {
        try_rule_set(json!([endpoint_rule(json!([]), url)]))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        error("https://{Region"),
        "rules[0].endpoint.url: unmatched `{` in template `https://{Region`"
    );
    assert_eq!(
        error("https://{a{b}}"),
        "rules[0].endpoint.url: unmatched `{` in template `https://{a{b}}`"
    );
    assert_eq!(
        error("https://}x"),
        "rules[0].endpoint.url: unmatched `}` in template `https://}x`"
    );
    assert_eq!(
        error("https://{Nope}.com"),
        "rules[0].endpoint.url: template `https://{Nope}.com` uses `Nope`, which is neither a parameter nor a variable assigned before this point"
    );
    assert_eq!(
        error("https://{UseFIPS}.com"),
        "rules[0].endpoint.url: `{UseFIPS}` in template `https://{UseFIPS}.com` is a boolean, not a string"
    );
    let property = json!([{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://a", "properties": {"a": [{"b": "{UseFIPS}"}]}}}]);
    assert_eq!(
        try_rule_set(property).unwrap_err().to_string(),
        "rules[0].endpoint.properties.a[0].b: `{UseFIPS}` in template `{UseFIPS}` is a boolean, not a string"
    );
    assert_eq!(
        error("https://{Region#dnsSuffix}"),
        "rules[0].endpoint.url: a string has no attribute `dnsSuffix`"
    );
}

#[test]
fn rule_set_errors_name_the_path() {
    let error = |rules: Json| try_rule_set(rules).unwrap_err().to_string();
    let unknown = json!([{"type": "tree", "conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}]}], "rules": [
        endpoint_rule(json!([]), "https://a"),
        endpoint_rule(json!([{"fn": "isSet", "argv": [{"ref": "Region"}]}, {"fn": "foo", "argv": []}]), "https://b")
    ]}]);
    assert_eq!(
        error(unknown),
        "rules[0].rules[1].conditions[1].fn: unknown function foo"
    );
    assert_eq!(
        error(json!([endpoint_rule(
            json!([{"fn": "booleanEquals", "argv": [{"ref": "UseFIPS"}, "true"]}]),
            "https://a"
        )])),
        "rules[0].conditions[0].argv[1]: argument 2 of `booleanEquals` must be a boolean, not a string"
    );
    assert_eq!(
        error(json!([endpoint_rule(
            json!([{"fn": "stringEquals", "argv": [{"ref": "Region"}]}]),
            "https://a"
        )])),
        "rules[0].conditions[0].argv: `stringEquals` takes 2 arguments, found 1"
    );
    assert_eq!(
        error(json!([endpoint_rule(
            json!([{"fn": "not", "argv": [{"ref": "Nope"}]}]),
            "https://a"
        )])),
        "rules[0].conditions[0].argv[0].ref: `Nope` is neither a parameter nor a variable assigned before this point"
    );
    assert_eq!(
        error(json!([endpoint_rule(
            json!([{"fn": "getAttr", "argv": [{"fn": "aws.partition", "argv": ["us-east-1"]}, "dnsSufix"]}]),
            "https://a"
        )])),
        "rules[0].conditions[0].argv[1]: a partition (from aws.partition) has no attribute `dnsSufix` \
         (it has name, dnsSuffix, dualStackDnsSuffix, supportsFIPS, supportsDualStack, implicitGlobalRegion)"
    );
    assert_eq!(
        error(json!([endpoint_rule(
            json!([{"fn": "getAttr", "argv": [{"fn": "aws.parseArn", "argv": ["arn"]}, "resourceId[x]"]}]),
            "https://a"
        )])),
        "rules[0].conditions[0].argv[1]: invalid path `resourceId[x]`: `resourceId[x]` must end with `[<integer>]`"
    );
    assert_eq!(
        error(json!([endpoint_rule(
            json!([{"fn": "getAttr", "argv": [{"ref": "Region"}, {"ref": "Region"}]}]),
            "https://a"
        )])),
        "rules[0].conditions[0].argv[1]: the path of `getAttr` must be a string, not an object"
    );
    assert_eq!(
        error(json!([{"type": "endpoint", "conditions": []}])),
        "rules[0]: missing `endpoint`"
    );
    assert_eq!(
        error(json!([{"type": "wat", "conditions": []}])),
        "rules[0].type: unknown rule type `wat` (endpoint, error or tree)"
    );
    assert_eq!(
        error(json!([{"type": "error", "conditions": [], "error": {"fn": "isSet", "argv": [{"ref": "Region"}]}}])),
        "rules[0].error: an error message must be a string, not a boolean"
    );
    assert_eq!(
        error(json!([{"type": "endpoint", "conditions": [], "endpoint": {"url": "https://a", "headers": {"x": "y"}}}])),
        "rules[0].endpoint.headers.x: expected an array, found a string"
    );
    assert_eq!(
        error(json!([endpoint_rule(
            json!([{"fn": "split", "argv": [{"ref": "Region"}, "", 0]}]),
            "https://a"
        )])),
        "rules[0].conditions[0].argv[1]: the delimiter of `split` must not be empty"
    );
    assert_eq!(
        error(json!([endpoint_rule(json!([{"fn": "coalesce", "argv": [{"ref": "Region"}, true]}]), "https://a")])),
        "rules[0].conditions[0].argv[1]: the arguments of `coalesce` must have one type: this one is a boolean, an earlier one a string"
    );
    assert_eq!(
        error(json!([endpoint_rule(
            json!([{"argv": [{"ref": "Region"}]}]),
            "https://a"
        )])),
        "rules[0].conditions[0]: a condition must be a function call (`fn` and `argv`)"
    );
    assert_eq!(
        error(json!([endpoint_rule(
            json!([{"fn": "substring", "argv": [{"ref": "Region"}, 0, 1.5, false]}]),
            "https://a"
        )])),
        "rules[0].conditions[0].argv[2]: expected an integer, found 1.5"
    );
}

#[test]
fn variables_are_scoped_to_their_rule() {
    let assign = |name: &str| json!({"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": name});
    // A variable may not shadow a parameter or a variable in scope...
    let error = |rules: Json| try_rule_set(rules).unwrap_err().to_string();
    assert_eq!(
        error(json!([endpoint_rule(json!([assign("Region")]), "https://a")])),
        "rules[0].conditions[0].assign: `Region` is a parameter, and cannot be assigned"
    );
    assert_eq!(
        error(
            json!([{"type": "tree", "conditions": [assign("P")], "rules": [endpoint_rule(json!([assign("P")]), "https://a")]}])
        ),
        "rules[0].rules[0].conditions[0].assign: `P` is already assigned by an enclosing condition"
    );
    // ...and is not visible after its rule.
    assert_eq!(
        error(json!([endpoint_rule(json!([assign("P")]), "https://a"), endpoint_rule(json!([]), "https://{P#name}")])),
        "rules[1].endpoint.url: template `https://{P#name}` uses `P`, which is neither a parameter nor a variable assigned before this point"
    );
    // Sibling rules may assign the same name; each sees its own value.
    let rules = rule_set(json!([
        {"type": "tree", "conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}]}], "rules": [
            endpoint_rule(
                json!([{"fn": "substring", "argv": [{"ref": "Region"}, 0, 2, false], "assign": "P"},
                       {"fn": "stringEquals", "argv": [{"ref": "P"}, "cn"]}]),
                "https://{P}.china"
            ),
            endpoint_rule(json!([assign("P")]), "https://{P#name}.{P#dnsSuffix}")
        ]}
    ]));
    assert_eq!(
        resolve(&rules, &region("cn-north-1")),
        Ok("https://cn.china".to_owned())
    );
    assert_eq!(
        resolve(&rules, &region("eu-west-1")),
        Ok("https://aws.amazonaws.com".to_owned())
    );
}

#[test]
fn nesting_is_limited() {
    let mut rules = endpoint_rule(json!([]), "https://deep");
    for _ in 0..70 {
        rules = json!({"type": "tree", "conditions": [], "rules": [rules]});
    }
    let error = try_rule_set(json!([rules])).unwrap_err();
    assert!(
        error.message().starts_with("rules are nested more than 64 deep"),
        "{error}"
    );
    assert!(error.path().starts_with("rules[0].rules[0].rules[0]"), "{error}");

    let mut expr = json!({"ref": "UseFIPS"});
    for _ in 0..70 {
        expr = json!({"fn": "not", "argv": [expr]});
    }
    let error = try_rule_set(json!([endpoint_rule(json!([expr]), "https://a")])).unwrap_err();
    assert!(
        error.message().starts_with("expressions are nested more than 64 deep"),
        "{error}"
    );

    // A tree within the limit resolves.
    let mut rules = endpoint_rule(json!([]), "https://deep");
    for _ in 0..60 {
        rules = json!({"type": "tree", "conditions": [], "rules": [rules]});
    }
    assert_eq!(
        resolve(&rule_set(json!([rules])), &Params::new()),
        Ok("https://deep".to_owned())
    );
}

#[test]
fn malformed_documents_are_errors() {
    let error = |json: &str| RuleSet::from_json(json).unwrap_err().to_string();
    assert!(error("{").starts_with("invalid JSON"));
    assert!(error(&"[".repeat(10_000)).starts_with("invalid JSON"));
    assert_eq!(error("[]"), "a rule set must be an object, not an array");
    assert_eq!(error(r#"{"parameters": {}, "rules": []}"#), "missing `version`");
    assert_eq!(
        error(r#"{"version": "2.0", "parameters": {}, "rules": []}"#),
        "version: unsupported rules engine version `2.0` (1.x is supported)"
    );
    assert_eq!(
        error(r#"{"version": "1.0", "parameters": {"A": {"type": "int"}}, "rules": []}"#),
        "parameters.A.type: unknown parameter type `int` (string, boolean or stringArray)"
    );
    assert_eq!(
        error(r#"{"version": "1.0", "parameters": {"A": {"type": "boolean", "default": "yes"}}, "rules": []}"#),
        "parameters.A.default: the default of a boolean parameter must be a boolean, not a string"
    );
    assert_eq!(
        error(r#"{"version": "1.0", "parameters": {"A": {"type": "stringArray", "default": ["a", 1]}}, "rules": []}"#),
        "parameters.A.default[1]: expected a string, found a number"
    );
    assert_eq!(
        error(r#"{"version": "1.0", "parameters": {}, "rules": {}}"#),
        "rules: expected an array, found an object"
    );
}

#[test]
fn parameters_are_described() {
    let rules = rule_set(json!([]));
    let names: Vec<_> = rules
        .parameters()
        .iter()
        .map(|parameter| parameter.name.as_str())
        .collect();
    assert_eq!(names, ["Endpoint", "Names", "Region", "UseFIPS"]);
    let fips = rules.parameter("UseFIPS").unwrap();
    assert_eq!(fips.param_type, ParamType::Boolean);
    assert_eq!(fips.built_in.as_deref(), Some("AWS::UseFIPS"));
    assert!(fips.required);
    assert_eq!(fips.default, Some(ParamValue::Bool(false)));
    assert_eq!(fips.documentation.as_deref(), Some("FIPS."));
    assert_eq!(
        rules.parameter("Names").unwrap().default,
        Some(ParamValue::StringArray(vec!["first".into(), "second".into()]))
    );
    assert_eq!(rules.version(), "1.0");
}

#[test]
fn parameters_are_checked_when_resolving() {
    let rules = RuleSet::from_value(&json!({
        "version": "1.0",
        "parameters": {
            "Region": {"type": "string", "required": true, "documentation": "The region."},
            "Flag": {"type": "boolean", "required": true, "default": true, "documentation": "A flag."}
        },
        "rules": [endpoint_rule(json!([{"fn": "booleanEquals", "argv": [{"ref": "Flag"}, true]}]), "https://{Region}")]
    }))
    .unwrap();
    let error = rules.resolve(&Params::new()).unwrap_err();
    assert_eq!(error.kind(), ResolveErrorKind::MissingParameter);
    assert_eq!(error.to_string(), "missing required parameter Region");
    let error = rules.resolve(&Params::new().with("Region", true)).unwrap_err();
    assert_eq!(error.kind(), ResolveErrorKind::InvalidParameter);
    assert_eq!(error.to_string(), "parameter Region must be a string, not a boolean");
    // Defaults apply; names the rule set does not declare are ignored.
    assert_eq!(
        resolve(&rules, &region("r").with("Other", "x")),
        Ok("https://r".to_owned())
    );
    let error = rules.resolve(&region("r").with("Flag", false)).unwrap_err();
    assert_eq!(error.kind(), ResolveErrorKind::NoMatch);
    assert_eq!(error.to_string(), "no rule of the rule set matched the parameters");
}

#[test]
fn error_rules_and_exhausted_trees() {
    let rules = rule_set(json!([
        {"type": "tree", "conditions": [{"fn": "isSet", "argv": [{"ref": "Endpoint"}]}], "rules": [
            {"type": "error", "conditions": [{"fn": "booleanEquals", "argv": [{"ref": "UseFIPS"}, true]}],
             "error": "FIPS and custom endpoint `{Endpoint}` are not supported"},
            endpoint_rule(json!([{"fn": "parseURL", "argv": [{"ref": "Endpoint"}], "assign": "url"}]), "{url#scheme}://{url#authority}{url#normalizedPath}x")
        ]},
        {"type": "error", "conditions": [], "error": "Invalid Configuration: Missing Region"}
    ]));
    let upper = Params::new().with("Endpoint", "HTTP://Example.com");
    assert_eq!(resolve(&rules, &upper), Ok("http://Example.com/x".to_owned()));
    let custom = Params::new().with("Endpoint", "https://example.com:8443/base");
    assert_eq!(
        resolve(&rules, &custom),
        Ok("https://example.com:8443/base/x".to_owned())
    );
    let error = rules.resolve(&custom.clone().with("UseFIPS", true)).unwrap_err();
    assert_eq!(error.kind(), ResolveErrorKind::Rule);
    assert_eq!(
        error.message(),
        "FIPS and custom endpoint `https://example.com:8443/base` are not supported"
    );
    // The tree's conditions held and none of its rules matched: no falling through to the next rule.
    let error = rules
        .resolve(&Params::new().with("Endpoint", "https://example.com?query"))
        .unwrap_err();
    assert_eq!(error.kind(), ResolveErrorKind::NoMatch);
    assert_eq!(
        error.message(),
        "rules[0]: the conditions of this tree rule held, but none of its rules matched"
    );
    assert_eq!(
        resolve(&rules, &Params::new()),
        Err("Invalid Configuration: Missing Region".to_owned())
    );
}

#[test]
fn unset_values_where_values_are_needed_are_errors() {
    // Region is optional: a well-typed rule set checks `isSet` first; this one does not.
    let rules = rule_set(json!([
        {"type": "tree", "conditions": [{"fn": "booleanEquals", "argv": [{"ref": "UseFIPS"}, false]}], "rules": [
            endpoint_rule(json!([{"fn": "stringEquals", "argv": [{"ref": "Region"}, "x"]}]), "https://x")
        ]}
    ]));
    let error = rules.resolve(&Params::new()).unwrap_err();
    assert_eq!(error.kind(), ResolveErrorKind::Evaluation);
    assert_eq!(
        error.message(),
        "rules[0].rules[0].conditions[0]: argument 1 of `stringEquals` must be a string, but it is unset"
    );
    let rules = rule_set(json!([endpoint_rule(json!([]), "https://{Region}.example")]));
    assert_eq!(
        resolve(&rules, &Params::new()),
        Err("rules[0].endpoint: template `https://{Region}.example` uses a value that is unset".to_owned())
    );
}

#[test]
fn standard_functions_in_rules() {
    let rules = rule_set(json!([
        endpoint_rule(
            json!([
                {"fn": "isSet", "argv": [{"ref": "Region"}]},
                {"fn": "split", "argv": [{"ref": "Region"}, "-", 0], "assign": "parts"},
                {"fn": "getAttr", "argv": [{"ref": "parts"}, "[-1]"], "assign": "last"},
                {"fn": "ite", "argv": [{"ref": "UseFIPS"}, "-fips", ""], "assign": "fips"},
                {"fn": "coalesce", "argv": [{"ref": "Endpoint"}, "default"], "assign": "endpoint"},
                {"fn": "uriEncode", "argv": ["{Region}/{last}"], "assign": "encoded"},
                {"fn": "isValidHostLabel", "argv": [{"ref": "Region"}, false]},
                {"fn": "not", "argv": [{"fn": "aws.isVirtualHostableS3Bucket", "argv": [{"ref": "Region"}, false]}]}
            ]),
            "https://{parts#[0]}{fips}.{last}/{endpoint}/{encoded}"
        ),
        {"type": "error", "conditions": [], "error": "no"}
    ]));
    assert_eq!(
        resolve(&rules, &region("Us-east-1")),
        Ok("https://Us.1/default/Us-east-1%2F1".to_owned())
    );
    assert_eq!(
        resolve(&rules, &region("Us-east-1").with("UseFIPS", true).with("Endpoint", "e")),
        Ok("https://Us-fips.1/e/Us-east-1%2F1".to_owned())
    );
    // A valid bucket name: the last condition fails.
    assert_eq!(resolve(&rules, &region("us-east-1")), Err("no".to_owned()));
    // Not a host label.
    assert_eq!(resolve(&rules, &region("Us_east")), Err("no".to_owned()));
}

#[test]
fn parse_arn_in_rules() {
    let rules = RuleSet::from_value(&json!({
        "version": "1.0",
        "parameters": {"Arn": {"type": "string", "required": true, "documentation": "An ARN."}},
        "rules": [
            endpoint_rule(
                json!([
                    {"fn": "aws.parseArn", "argv": [{"ref": "Arn"}], "assign": "arn"},
                    {"fn": "getAttr", "argv": [{"ref": "arn"}, "resourceId[1]"], "assign": "name"},
                    {"fn": "aws.partition", "argv": ["{arn#region}"], "assign": "partition"}
                ]),
                "https://{name}.{arn#accountId}.{arn#service}.{arn#region}.{partition#dnsSuffix}"
            ),
            {"type": "error", "conditions": [], "error": "not an ARN with two resource parts: {Arn}"}
        ]
    }))
    .unwrap();
    let arn = |arn: &str| Params::new().with("Arn", arn);
    assert_eq!(
        resolve(
            &rules,
            &arn("arn:aws-cn:s3:cn-north-1:123456789012:accesspoint:myendpoint")
        ),
        Ok("https://myendpoint.123456789012.s3.cn-north-1.amazonaws.com.cn".to_owned())
    );
    assert_eq!(
        resolve(&rules, &arn("arn:aws:s3:::bucket")),
        Err("not an ARN with two resource parts: arn:aws:s3:::bucket".to_owned())
    );
}

#[test]
fn other_partitions_data() {
    let rules = rule_set(json!([
        endpoint_rule(
            json!([
                {"fn": "isSet", "argv": [{"ref": "Region"}]},
                {"fn": "aws.partition", "argv": [{"ref": "Region"}], "assign": "p"}
            ]),
            "https://svc.{Region}.{p#dnsSuffix}"
        ),
        {"type": "error", "conditions": [], "error": "unknown region"}
    ]));
    let partitions = custom_partitions();
    let with = |region_name: &str| {
        rules
            .resolve_with(&region(region_name), &partitions)
            .map(|endpoint| endpoint.url)
            .map_err(|error| error.to_string())
    };
    assert_eq!(
        with("moon-east-1"),
        Ok("https://svc.moon-east-1.moon.example".to_owned())
    );
    assert_eq!(
        with("moon-dark-1"),
        Ok("https://svc.moon-dark-1.dark.moon.example".to_owned())
    );
    // No `aws` partition to fall back to: `aws.partition` is unset.
    assert_eq!(with("us-east-1"), Err("unknown region".to_owned()));
    assert_eq!(
        resolve(&rules, &region("us-east-1")),
        Ok("https://svc.us-east-1.amazonaws.com".to_owned())
    );
    let rules = rules.with_partitions(Arc::new(custom_partitions()));
    assert_eq!(
        resolve(&rules, &region("mars-2")),
        Ok("https://svc.mars-2.mars.example".to_owned())
    );
}

#[test]
fn auth_schemes_are_read_from_properties() {
    let mut endpoint = Endpoint::default();
    assert!(endpoint.auth_schemes().is_empty());
    endpoint.properties.insert(
        "authSchemes".into(),
        json!([
            {"name": "sigv4a", "signingName": "s3", "signingRegionSet": ["*"], "disableDoubleEncoding": true},
            {"signingName": "nameless"},
            "not an object",
            {"name": "sigv4", "signingName": "s3", "signingRegion": "us-west-2", "disableNormalizePath": false, "extra": 1}
        ]),
    );
    let schemes = endpoint.auth_schemes();
    assert_eq!(schemes.len(), 2);
    assert_eq!(schemes[0].name, "sigv4a");
    assert_eq!(schemes[0].signing_region_set, Some(vec!["*".to_owned()]));
    assert_eq!(schemes[0].signing_region, None);
    assert_eq!(schemes[0].disable_double_encoding, Some(true));
    assert_eq!(schemes[1].name, "sigv4");
    assert_eq!(schemes[1].signing_region.as_deref(), Some("us-west-2"));
    assert_eq!(schemes[1].disable_normalize_path, Some(false));
    assert_eq!(schemes[1].properties.get("extra"), Some(&json!(1)));
}

#[test]
fn params_set_replace_and_remove() {
    let mut params = Params::new().with("A", "x").with("B", true);
    params.set("A", "y").set("C", vec!["1".to_owned()]);
    assert_eq!(params.get("A"), Some(&ParamValue::String("y".into())));
    assert_eq!(params.get("B").and_then(ParamValue::as_bool), Some(true));
    assert_eq!(params.len(), 3);
    assert_eq!(params.remove("B"), Some(ParamValue::Bool(true)));
    assert_eq!(params.get("B"), None);
    let names: Vec<_> = params.iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["A", "C"]);
    assert_eq!(
        ParamValue::from(&["a", "b"][..]).as_string_array().map(<[String]>::len),
        Some(2)
    );
    assert_eq!(ParamType::from_name("StringArray"), Some(ParamType::StringArray));
}

#[test]
fn rule_sets_are_shareable() {
    fn shareable<T: Send + Sync + std::fmt::Debug>() {}
    shareable::<RuleSet>();
    shareable::<Partitions>();
    shareable::<Params>();
    shareable::<Endpoint>();
    shareable::<ResolveError>();
    shareable::<RuleSetError>();
}
