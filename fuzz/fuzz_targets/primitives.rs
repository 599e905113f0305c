//! Text through the runtime's parsers of values that come from the network: timestamps in each
//! format, epoch seconds as numbers, big numbers, percent-encoding and query strings. What
//! parses must print and parse back to the same value.

#![no_main]

use smithy_runtime::primitives::{BigDecimal, BigInteger, DateTime};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for parsed in [
        DateTime::parse_date_time(text),
        DateTime::parse_utc_date_time(text),
        DateTime::parse_http_date(text),
        DateTime::parse_epoch_seconds(text),
    ]
    .into_iter()
    .flatten()
    {
        let printed = parsed.to_date_time();
        assert_eq!(DateTime::parse_date_time(&printed), Some(parsed), "{printed}");
        let _ = parsed.to_http_date();
        let _ = parsed.to_epoch_seconds();
        let _ = parsed.as_secs_f64();
    }
    if let Ok(number) = text.parse::<f64>() {
        if let Some(time) = DateTime::from_secs_f64(number) {
            let _ = time.to_date_time();
        }
    }
    let _ = BigDecimal::new(text);
    let _ = BigInteger::new(text);
    if let Some(decoded) = smithy_runtime::protocol::uri::percent_decode(text) {
        let encoded = smithy_runtime::protocol::uri::percent_encode(&decoded, false);
        assert_eq!(smithy_runtime::protocol::uri::percent_decode(&encoded), Some(decoded));
    }
});
