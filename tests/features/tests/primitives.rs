//! The value types of the generated `primitives` module on known vectors: `DateTime` formatting
//! and parsing in the three timestamp formats, `Blob` base64 against RFC 4648, and the exact big
//! numbers.

use std::time::{Duration, UNIX_EPOCH};

use features::primitives::{BigDecimal, BigInteger, Blob, DateTime};

/// Seconds, nanoseconds, RFC 3339 `date-time`, RFC 7231 `http-date` and epoch seconds.
const VECTORS: &[(i64, u32, &str, &str, &str)] = &[
    (0, 0, "1970-01-01T00:00:00Z", "Thu, 01 Jan 1970 00:00:00 GMT", "0"),
    (
        1_576_540_098,
        0,
        "2019-12-16T23:48:18Z",
        "Mon, 16 Dec 2019 23:48:18 GMT",
        "1576540098",
    ),
    (
        951_782_400,
        0,
        "2000-02-29T00:00:00Z",
        "Tue, 29 Feb 2000 00:00:00 GMT",
        "951782400",
    ),
    (
        951_868_799,
        0,
        "2000-02-29T23:59:59Z",
        "Tue, 29 Feb 2000 23:59:59 GMT",
        "951868799",
    ),
    (
        -1,
        500_000_000,
        "1969-12-31T23:59:59.5Z",
        "Wed, 31 Dec 1969 23:59:59 GMT",
        "-0.5",
    ),
    (
        -86_400,
        0,
        "1969-12-31T00:00:00Z",
        "Wed, 31 Dec 1969 00:00:00 GMT",
        "-86400",
    ),
    (
        482_196_050,
        520_000_000,
        "1985-04-12T23:20:50.52Z",
        "Fri, 12 Apr 1985 23:20:50 GMT",
        "482196050.52",
    ),
    (
        1_398_796_238,
        0,
        "2014-04-29T18:30:38Z",
        "Tue, 29 Apr 2014 18:30:38 GMT",
        "1398796238",
    ),
    (
        1_000_000_000,
        1,
        "2001-09-09T01:46:40.000000001Z",
        "Sun, 09 Sep 2001 01:46:40 GMT",
        "1000000000.000000001",
    ),
    (
        2_147_483_648,
        0,
        "2038-01-19T03:14:08Z",
        "Tue, 19 Jan 2038 03:14:08 GMT",
        "2147483648",
    ),
    (
        -2_208_988_800,
        0,
        "1900-01-01T00:00:00Z",
        "Mon, 01 Jan 1900 00:00:00 GMT",
        "-2208988800",
    ),
    (
        253_402_300_799,
        999_000_000,
        "9999-12-31T23:59:59.999Z",
        "Fri, 31 Dec 9999 23:59:59 GMT",
        "253402300799.999",
    ),
    (
        -62_135_596_800,
        0,
        "0001-01-01T00:00:00Z",
        "Mon, 01 Jan 0001 00:00:00 GMT",
        "-62135596800",
    ),
];

#[test]
fn date_time_known_vectors() {
    for &(seconds, nanos, date_time, http_date, epoch) in VECTORS {
        let value = DateTime::from_secs_and_nanos(seconds, nanos);
        assert_eq!((value.secs(), value.subsec_nanos()), (seconds, nanos));
        assert_eq!(value.to_date_time(), date_time);
        assert_eq!(value.to_epoch_seconds(), epoch);
        assert_eq!(value.to_string(), date_time);
        assert_eq!(format!("{value:?}"), date_time);
        // http-date has no fractional seconds.
        assert_eq!(value.to_http_date(), http_date);
        assert_eq!(DateTime::parse_date_time(date_time), Some(value), "{date_time}");
        assert_eq!(DateTime::parse_epoch_seconds(epoch), Some(value), "{epoch}");
        assert_eq!(
            DateTime::parse_http_date(http_date),
            Some(DateTime::from_secs(seconds)),
            "{http_date}"
        );
    }
}

#[test]
fn half_a_second_before_the_epoch() {
    let value = DateTime::from_secs_f64(-0.5).unwrap();
    assert_eq!((value.secs(), value.subsec_nanos()), (-1, 500_000_000));
    assert_eq!(value.as_secs_f64(), -0.5);
    assert_eq!(value.to_date_time(), "1969-12-31T23:59:59.5Z");
    assert_eq!(value.to_epoch_seconds(), "-0.5");
    assert_eq!(DateTime::parse_date_time("1969-12-31T23:59:59.5Z"), Some(value));
    assert_eq!(DateTime::parse_epoch_seconds("-0.5"), Some(value));
    assert_eq!(DateTime::from(UNIX_EPOCH - Duration::from_millis(500)), value);
    assert!(value < DateTime::from_secs(0) && DateTime::from_secs(-1) < value);
    assert_eq!(DateTime::from_secs_f64(-1.25).unwrap().to_epoch_seconds(), "-1.25");
    assert_eq!(DateTime::from_secs_and_nanos(-2, 750_000_000).as_secs_f64(), -1.25);
}

#[test]
fn every_month_and_weekday_round_trips() {
    // Every 13 days and 7 hours from 1890 to 2110: every month, weekday and leap-year case.
    let step = 13 * 86_400 + 7 * 3600 + 11;
    let mut seconds = -2_524_521_600;
    while seconds < 4_417_977_600 {
        let value = DateTime::from_secs(seconds);
        let http_date = value.to_http_date();
        assert_eq!(DateTime::parse_http_date(&http_date), Some(value), "{http_date}");
        let date_time = value.to_date_time();
        assert_eq!(DateTime::parse_date_time(&date_time), Some(value), "{date_time}");
        assert_eq!(DateTime::parse_epoch_seconds(&value.to_epoch_seconds()), Some(value));
        seconds += step;
    }
}

#[test]
fn date_time_offsets_and_case() {
    let instant = Some(DateTime::from_secs(851_042_397)); // 1996-12-20T00:39:57Z
    for text in [
        "1996-12-20T00:39:57Z",
        "1996-12-19T16:39:57-08:00",
        "1996-12-20T05:09:57+04:30",
        "1996-12-20t00:39:57z",
        "1996-12-20T00:39:57+00:00",
        "  1996-12-20T00:39:57Z  ",
    ] {
        assert_eq!(DateTime::parse_date_time(text), instant, "{text}");
    }
    // Fractions: up to nine digits count, more are cut off.
    assert_eq!(
        DateTime::parse_date_time("1996-12-20T00:39:57.123456789999Z").map(|t| t.subsec_nanos()),
        Some(123_456_789)
    );
    assert_eq!(
        DateTime::parse_date_time("1996-12-20T00:39:57.1Z").map(|t| t.subsec_nanos()),
        Some(100_000_000)
    );
}

#[test]
fn invalid_date_times_are_refused() {
    for text in [
        "",
        "not a date",
        "2019-12-16",
        "2019-12-16T23:48:18",
        "2019-12-16 23:48:18Z",
        "2019-12-16T24:00:00Z",
        "2019-12-16T23:60:00Z",
        "2019-12-16T23:48:61Z",
        "2019-12-16T23:48:18.Z",
        "2019-12-16T23:48:18.1xZ",
        "2019-12-16T23:48Z",
        "2019-12-16T23:48:18:00Z",
        "2019-12-16T1:48:18Z",
        "2019-13-01T00:00:00Z",
        "2019-00-01T00:00:00Z",
        "2019-12-00T00:00:00Z",
        "2019-12-32T00:00:00Z",
        "2019-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2100-02-29T00:00:00Z",
        "2019-04-31T00:00:00Z",
        "2019-02-30T00:00:00Z",
        "19-12-16T23:48:18Z",
        "2019/12/16T23:48:18Z",
        "2019-12-16T23:48:18+0100",
        "2019-12-16T23:48:18+24:00",
        "2019-12-16T23:48:18+01:60",
        "2019-12-16T23:48:18ZZ",
        "Mon, 16 Dec 2019 23:48:18 GMT",
    ] {
        assert_eq!(DateTime::parse_date_time(text), None, "{text:?} was accepted");
    }
    // 29 February exists in leap years.
    assert!(DateTime::parse_date_time("2000-02-29T00:00:00Z").is_some());
    assert!(DateTime::parse_date_time("2024-02-29T00:00:00Z").is_some());
}

#[test]
fn http_dates() {
    let value = DateTime::parse_http_date("Tue, 29 Apr 2014 18:30:38 GMT").unwrap();
    assert_eq!(value, DateTime::from_secs(1_398_796_238));
    // Fractional seconds are read (some services send them) though never written.
    let fractional = DateTime::parse_http_date("Tue, 29 Apr 2014 18:30:38.25 GMT").unwrap();
    assert_eq!(
        (fractional.secs(), fractional.subsec_nanos()),
        (1_398_796_238, 250_000_000)
    );
    assert_eq!(fractional.to_http_date(), "Tue, 29 Apr 2014 18:30:38 GMT");
    for text in [
        "",
        "Tue, 29 Apr 2014 18:30:38 UTC",
        "Tue, 29 Apr 2014 18:30:38",
        "29 Apr 2014 18:30:38 GMT",
        "Tue 29 Apr 2014 18:30:38 GMT",
        "Tuesday, 29-Apr-14 18:30:38 GMT",
        "Tue Apr 29 18:30:38 2014",
        "Tue, 29 April 2014 18:30:38 GMT",
        "Tue, 29 apr 2014 18:30:38 GMT",
        "Tue, 9 Apr 2014 18:30:38 GMT",
        "Tue, 31 Apr 2014 18:30:38 GMT",
        "Sat, 29 Feb 2014 18:30:38 GMT",
        "Tue, 29 Apr 2014 25:30:38 GMT",
        "Tue, 29 Apr 2014 18:30:38 GMT extra",
        "Xyz, 29 Apr 2014 18:30:38 GMT",
        "2014-04-29T18:30:38Z",
    ] {
        assert_eq!(DateTime::parse_http_date(text), None, "{text:?} was accepted");
    }
}

#[test]
fn epoch_seconds() {
    for (text, seconds, nanos) in [
        ("0", 0, 0),
        ("-0", 0, 0),
        ("1576540098", 1_576_540_098, 0),
        ("-1", -1, 0),
        ("1.5", 1, 500_000_000),
        ("-1.5", -2, 500_000_000),
        ("-0.000000001", -1, 999_999_999),
        ("1.123456789", 1, 123_456_789),
        ("1.1234567891", 1, 123_456_789),
        (" 7 ", 7, 0),
    ] {
        assert_eq!(
            DateTime::parse_epoch_seconds(text),
            Some(DateTime::from_secs_and_nanos(seconds, nanos)),
            "{text}"
        );
    }
    for text in ["", "abc", "1.", ".5", "1.5x", "1.-5", "1e3", "--1", "1,5", "NaN"] {
        assert_eq!(DateTime::parse_epoch_seconds(text), None, "{text:?} was accepted");
    }
}

#[test]
fn from_floats_and_system_time() {
    assert_eq!(
        DateTime::from_secs_f64(1_576_540_098.123),
        Some(DateTime::from_secs_and_nanos(1_576_540_098, 123_000_000))
    );
    assert_eq!(
        DateTime::from_secs_f64(0.1),
        Some(DateTime::from_secs_and_nanos(0, 100_000_000))
    );
    assert_eq!(DateTime::from_secs_f64(-0.0), Some(DateTime::from_secs(0)));
    assert_eq!(DateTime::from_secs_f64(1e-10), Some(DateTime::from_secs(0)));
    for invalid in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300] {
        assert_eq!(DateTime::from_secs_f64(invalid), None, "{invalid}");
    }
    assert_eq!(
        DateTime::from(UNIX_EPOCH + Duration::new(1_576_540_098, 7)),
        DateTime::from_secs_and_nanos(1_576_540_098, 7)
    );
    assert_eq!(
        DateTime::from(UNIX_EPOCH - Duration::from_secs(86_400)),
        DateTime::from_secs(-86_400)
    );
    // Nanoseconds past a second carry into the seconds.
    assert_eq!(
        DateTime::from_secs_and_nanos(1, 2_500_000_000),
        DateTime::from_secs_and_nanos(3, 500_000_000)
    );
    assert_eq!(DateTime::default(), DateTime::from_secs(0));
}

/// RFC 4648, section 10.
const BASE64: &[(&str, &str)] = &[
    ("", ""),
    ("f", "Zg=="),
    ("fo", "Zm8="),
    ("foo", "Zm9v"),
    ("foob", "Zm9vYg=="),
    ("fooba", "Zm9vYmE="),
    ("foobar", "Zm9vYmFy"),
];

#[test]
fn blob_base64_rfc_4648_vectors() {
    for &(bytes, text) in BASE64 {
        let blob = Blob::from(bytes);
        assert_eq!(blob.to_base64(), text);
        assert_eq!(Blob::from_base64(text), Some(blob), "{text}");
    }
    // Every byte value, both ends of the alphabet.
    let all: Vec<u8> = (0..=255).collect();
    let blob = Blob::new(all.clone());
    assert_eq!(Blob::from_base64(&blob.to_base64()).unwrap().into_inner(), all);
    assert_eq!(Blob::new(vec![0xfb, 0xff]).to_base64(), "+/8=");
    assert_eq!(Blob::new(vec![0, 0, 0]).to_base64(), "AAAA");
    assert_eq!(Blob::from_base64("+/8=").unwrap().as_bytes(), [0xfb, 0xff]);
}

#[test]
fn blob_base64_refuses_invalid_input() {
    for text in [
        "Zg",
        "Zg=",
        "Zg===",
        "Z===",
        "====",
        "Zm9",
        "Zm9vY",
        "Zg==Zg==",
        "Zm=v",
        "Zm9v!A==",
        "Zm9v YmFy",
        "Zm9v\nYmFy",
        "-_8=",
        "Zm9vYmFy=",
        "ü===",
    ] {
        assert_eq!(Blob::from_base64(text), None, "{text:?} was accepted");
    }
}

#[test]
fn blob_accessors() {
    let blob = Blob::from(&b"bytes"[..]);
    assert_eq!(blob.as_ref(), b"bytes");
    assert_eq!(format!("{blob:?}"), "Blob(5 bytes)");
    assert_eq!(Blob::from(b"bytes".to_vec()), blob);
    assert!(Blob::default().as_bytes().is_empty());
}

#[test]
fn big_numbers_are_exact_json_numbers() {
    for valid in [
        "0",
        "-0",
        "7",
        "-123456789012345678901234567890",
        "123456789012345678901234567890",
    ] {
        assert_eq!(BigInteger::new(valid).unwrap().as_str(), valid);
        assert_eq!(valid.parse::<BigInteger>().unwrap().to_string(), valid);
    }
    for invalid in ["", "-", "+1", "01", "1.0", "1e3", "0x10", " 1", "1 ", "١"] {
        assert_eq!(BigInteger::new(invalid), None, "{invalid:?} was accepted");
    }
    assert_eq!("x".parse::<BigInteger>().unwrap_err(), "`x` is not an integer");

    for valid in [
        "0",
        "-0.5",
        "3.14159265358979323846264338327950288",
        "1e5",
        "1E-5",
        "-1.5e+300",
        "0.0",
    ] {
        assert_eq!(BigDecimal::new(valid).unwrap().as_str(), valid);
        assert_eq!(format!("{:?}", BigDecimal::new(valid).unwrap()), valid);
    }
    for invalid in [
        "", ".5", "5.", "1e", "1e+", "1e+-5", "1e--5", "--1", "1.2.3", "Infinity", "NaN", "1_000",
    ] {
        assert_eq!(BigDecimal::new(invalid), None, "{invalid:?} was accepted");
    }
    assert_eq!(BigInteger::default().as_str(), "0");
    assert_eq!(BigDecimal::default().as_str(), "0");

    // JSON: a number with all of its digits, in both directions.
    let text = "[123456789012345678901234567890,-0.000000000000000000000000000001]";
    let (integer, decimal): (BigInteger, BigDecimal) = serde_json::from_str(text).unwrap();
    assert_eq!(integer.as_str(), "123456789012345678901234567890");
    assert_eq!(decimal.as_str(), "-0.000000000000000000000000000001");
    assert_eq!(serde_json::to_string(&(integer, decimal)).unwrap(), text);
    assert!(serde_json::from_str::<BigInteger>("\"1\"").is_err());
    assert!(serde_json::from_str::<BigDecimal>("null").is_err());
}
