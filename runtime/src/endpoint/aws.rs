//! The AWS library's functions on strings: `aws.parseArn` and `aws.isVirtualHostableS3Bucket`
//! (`aws.partition` is [`Partitions`](super::Partitions)).

use std::ops::Range;

use super::functions::is_ip_address;

/// The parts of an ARN (`arn:<partition>:<service>:<region>:<account id>:<resource>`), as
/// byte ranges of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArnParts {
    pub partition: Range<usize>,
    pub service: Range<usize>,
    pub region: Range<usize>,
    pub account_id: Range<usize>,
    /// The resource, split on every `:` and `/`.
    pub resource_id: Vec<Range<usize>>,
}

/// `aws.parseArn`: unset (`None`) unless the input starts with `arn:` and has five more
/// `:`-separated fields whose partition, service and resource are not empty (the region and
/// the account id may be).
pub(crate) fn parse_arn(arn: &str) -> Option<ArnParts> {
    if arn.len() < 8 || !arn.starts_with("arn:") {
        return None;
    }
    let mut fields = [0..0, 0..0, 0..0, 0..0];
    let mut start = 4;
    for field in &mut fields {
        let end = start + arn[start..].find(':')?;
        *field = start..end;
        start = end + 1;
    }
    let resource = start..arn.len();
    let [partition, service, region, account_id] = fields;
    if partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    let mut resource_id = Vec::new();
    let mut part_start = resource.start;
    for (offset, byte) in arn[resource.clone()].bytes().enumerate() {
        if byte == b':' || byte == b'/' {
            resource_id.push(part_start..resource.start + offset);
            part_start = resource.start + offset + 1;
        }
    }
    resource_id.push(part_start..resource.end);
    Some(ArnParts {
        partition,
        service,
        region,
        account_id,
        resource_id,
    })
}

/// `aws.isVirtualHostableS3Bucket`: whether a bucket name can be the first label of a host:
/// 3 to 63 characters of lower-case letters, digits and `-` (and with `allow_sub_domains`, `.`
/// between labels), starting and ending with a letter or a digit, and with
/// `allow_sub_domains` not shaped like an IP address.
pub(crate) fn is_virtual_hostable_s3_bucket(bucket: &str, allow_sub_domains: bool) -> bool {
    let bytes = bucket.as_bytes();
    let lower_alphanumeric = |byte: u8| byte.is_ascii_lowercase() || byte.is_ascii_digit();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if !(3..=63).contains(&bytes.len()) || !lower_alphanumeric(first) || !lower_alphanumeric(last) {
        return false;
    }
    if !allow_sub_domains {
        return bytes.iter().all(|&byte| lower_alphanumeric(byte) || byte == b'-');
    }
    let mut previous = first;
    for &byte in &bytes[1..] {
        let allowed = match byte {
            // No `..`, `-.` or `.-`.
            b'.' => previous != b'.' && previous != b'-',
            b'-' => previous != b'.',
            _ => lower_alphanumeric(byte),
        };
        if !allowed {
            return false;
        }
        previous = byte;
    }
    !is_ip_address(bucket)
}
