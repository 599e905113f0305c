//! The standard library's functions on strings, apart from the evaluator's values: they return
//! byte ranges of their input where they can, so that the evaluator can slice without copying.

use std::borrow::Cow;
use std::ops::Range;

/// The parts of a URL that `parseURL` accepts: byte ranges of its input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UrlParts {
    /// `http` or `https`, in any case.
    pub scheme: Range<usize>,
    /// The host and the port, as written.
    pub authority: Range<usize>,
    /// Everything after the authority: empty, or starting with `/`.
    pub path: Range<usize>,
    /// Whether the host is an IPv4 address or a bracketed IPv6 address.
    pub is_ip: bool,
}

/// `parseURL`: an `http` or `https` URL with a host, an optional port and an optional path.
/// URLs with a query string or a fragment, with user information (`user@`), with an empty or
/// malformed host or port, or with spaces or control characters are refused.
pub(crate) fn parse_url(url: &str) -> Option<UrlParts> {
    let scheme_end = url.find("://")?;
    let scheme = &url[..scheme_end];
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    if url
        .bytes()
        .any(|byte| byte <= b' ' || byte == 0x7f || matches!(byte, b'?' | b'#' | b'\\'))
    {
        return None;
    }
    let authority_start = scheme_end + 3;
    let authority_end = url[authority_start..]
        .find('/')
        .map_or(url.len(), |index| authority_start + index);
    let authority = &url[authority_start..authority_end];
    let host = split_host(authority)?;
    Some(UrlParts {
        scheme: 0..scheme_end,
        authority: authority_start..authority_end,
        path: authority_end..url.len(),
        is_ip: is_ip_address(host),
    })
}

/// The host of an authority (`host`, `host:port`, `[v6]`, `[v6]:port`), if it is well formed.
fn split_host(authority: &str) -> Option<&str> {
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, rest) = authority.split_at(close + 1);
        let inner = &host[1..host.len() - 1];
        if inner.is_empty()
            || !inner
                .bytes()
                .all(|byte| byte.is_ascii_hexdigit() || matches!(byte, b':' | b'.'))
        {
            return None;
        }
        match rest {
            "" => (host, None),
            _ => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        let (host, port) = match authority.rfind(':') {
            Some(colon) => (&authority[..colon], Some(&authority[colon + 1..])),
            None => (authority, None),
        };
        let reg_name = |byte: u8| byte.is_ascii_alphanumeric() || b"-._~%!$&'()*+,;=".contains(&byte);
        if host.is_empty() || !host.bytes().all(reg_name) {
            return None;
        }
        (host, port)
    };
    if let Some(port) = port {
        if port.is_empty() || port.len() > 5 || !port.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        if port.parse::<u32>().ok()? > 65535 {
            return None;
        }
    }
    Some(host)
}

/// Whether a host is an IP address: a bracketed IPv6 address, or four dot-separated groups of one
/// to three digits without leading zeros (the reference implementation's test, which does not
/// check that each group is at most 255).
pub(crate) fn is_ip_address(host: &str) -> bool {
    if host.len() >= 2 && host.starts_with('[') && host.ends_with(']') {
        return true;
    }
    let mut groups = 0;
    for group in host.split('.') {
        groups += 1;
        let bytes = group.as_bytes();
        let digits = !bytes.is_empty() && bytes.len() <= 3 && bytes.iter().all(u8::is_ascii_digit);
        if groups > 4 || !digits || (bytes.len() > 1 && bytes[0] == b'0') {
            return false;
        }
    }
    groups == 4
}

/// `parseURL`'s `normalizedPath`: the path with a `/` at its start and at its end.
pub(crate) fn normalize_path(path: &str) -> Cow<'_, str> {
    if path.trim().is_empty() {
        return Cow::Borrowed("/");
    }
    match (path.starts_with('/'), path.ends_with('/')) {
        (true, true) => Cow::Borrowed(path),
        (true, false) => Cow::Owned(format!("{path}/")),
        (false, true) => Cow::Owned(format!("/{path}")),
        (false, false) => Cow::Owned(format!("/{path}/")),
    }
}

/// `substring`: the bytes `start..stop` of an ASCII string, counted from its end when `reverse`
/// is set; unset (`None`) when the input is not ASCII or not long enough.
pub(crate) fn substring(input: &str, start: i64, stop: i64, reverse: bool) -> Option<Range<usize>> {
    let start = usize::try_from(start).ok()?;
    let stop = usize::try_from(stop).ok()?;
    let len = input.len();
    if start >= stop || len < stop || !input.is_ascii() {
        return None;
    }
    Some(if reverse { len - stop..len - start } else { start..stop })
}

/// `uriEncode`: percent-encodes every byte but the unreserved characters of RFC 3986
/// (`A-Z a-z 0-9 - _ . ~`), with upper-case hexadecimal digits.
pub(crate) fn uri_encode(input: &str) -> String {
    crate::percent::percent_encode(input, false)
}

/// `isValidHostLabel`: one RFC 1123 label (`[A-Za-z0-9][A-Za-z0-9-]{0,62}`), or with
/// `allow_sub_domains` several joined by dots.
pub(crate) fn is_valid_host_label(value: &str, allow_sub_domains: bool) -> bool {
    if allow_sub_domains {
        !value.is_empty() && value.split('.').all(is_valid_label)
    } else {
        is_valid_label(value)
    }
}

fn is_valid_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    match bytes.split_first() {
        Some((first, rest)) => {
            bytes.len() <= 63
                && first.is_ascii_alphanumeric()
                && rest.iter().all(|byte| byte.is_ascii_alphanumeric() || *byte == b'-')
        }
        None => false,
    }
}

/// Why `split` refuses its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SplitError {
    EmptyDelimiter,
    NegativeLimit,
}

/// `split`: the parts of `input` between occurrences of `delimiter`; a `limit` of 0 splits at
/// every occurrence, `n > 0` makes at most `n` parts (the last holds the rest).
pub(crate) fn split(input: &str, delimiter: &str, limit: i64) -> Result<Vec<Range<usize>>, SplitError> {
    if delimiter.is_empty() {
        return Err(SplitError::EmptyDelimiter);
    }
    let limit = usize::try_from(limit).map_err(|_| SplitError::NegativeLimit)?;
    let mut parts = Vec::new();
    let mut start = 0;
    if input.is_empty() || limit == 1 {
        parts.push(start..input.len());
        return Ok(parts);
    }
    while limit == 0 || parts.len() + 1 < limit {
        match input[start..].find(delimiter) {
            Some(offset) => {
                parts.push(start..start + offset);
                start += offset + delimiter.len();
            }
            None => break,
        }
    }
    parts.push(start..input.len());
    Ok(parts)
}
