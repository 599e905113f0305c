/// A point in time: seconds and nanoseconds since the Unix epoch, UTC.
///
/// On the wire a protocol writes it in the member's `@timestampFormat` (epoch seconds in JSON
/// bodies unless the model says otherwise); with serde on its own it is a number of epoch
/// seconds, and reading accepts the three text forms too.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct DateTime {
    seconds: i64,
    nanos: u32,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The proleptic Gregorian date of a day since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    (year_of_era + era * 400 + i64::from(month <= 2), month, day)
}

/// The number written with ASCII digits only (`None` if it overflows `u32`).
fn digits(text: &str) -> Option<u32> {
    if text.is_empty() {
        return None;
    }
    text.bytes().try_fold(0u32, |number, byte| {
        byte.is_ascii_digit()
            .then(|| number.checked_mul(10)?.checked_add(u32::from(byte - b'0')))
            .flatten()
    })
}

/// The number written with exactly `len` ASCII digits.
fn fixed_digits(text: &str, len: usize) -> Option<u32> {
    if text.len() == len {
        digits(text)
    } else {
        None
    }
}

/// The days of a month of the proleptic Gregorian calendar.
fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Whether year, month and day name a day of the calendar (no 30 February).
fn is_date(year: i64, month: u32, day: u32) -> bool {
    (1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day)
}

/// Hours, minutes and seconds of `hh:mm:ss` (a leap second, 60, is allowed).
fn parse_clock(text: &str) -> Option<(u32, u32, u32)> {
    if text.len() != 8 || text.as_bytes()[2] != b':' || text.as_bytes()[5] != b':' {
        return None;
    }
    let hour = fixed_digits(text.get(0..2)?, 2)?;
    let minute = fixed_digits(text.get(3..5)?, 2)?;
    let second = fixed_digits(text.get(6..8)?, 2)?;
    (hour < 24 && minute < 60 && second <= 60).then_some((hour, minute, second))
}

/// `hh:mm:ss` with an optional fraction of a second after a `.`: the seconds of the day and the
/// nanoseconds. Digits past the ninth are cut off.
fn parse_time_of_day(text: &str) -> Option<(i64, u32)> {
    let (clock, fraction) = match text.as_bytes().iter().position(|byte| *byte == b'.') {
        Some(dot) => (&text[..dot], Some(&text[dot + 1..])),
        None => (text, None),
    };
    let (hour, minute, second) = parse_clock(clock)?;
    let nanos = match fraction {
        None => 0,
        Some(fraction) if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) => return None,
        // Nanoseconds: the first nine digits, the rest cut off.
        Some(fraction) => {
            let digits = &fraction.as_bytes()[..fraction.len().min(9)];
            let nanos = digits
                .iter()
                .fold(0, |nanos, digit| nanos * 10 + u32::from(digit - b'0'));
            nanos * 10u32.pow(9 - digits.len() as u32)
        }
    };
    Some((i64::from(hour * 3600 + minute * 60 + second), nanos))
}

impl DateTime {
    /// The first instant a timestamp on the wire may name: `0000-01-01T00:00:00Z`, the first
    /// that RFC 3339 can write.
    pub const MIN: Self = Self::from_secs(-62_167_219_200);
    /// The last instant a timestamp on the wire may name: `9999-12-31T23:59:59.999999999Z`,
    /// the last that RFC 3339 can write.
    pub const MAX: Self = Self::from_secs_and_nanos(253_402_300_799, 999_999_999);

    /// `Some(self)` if it lies from [`DateTime::MIN`] to [`DateTime::MAX`]: what every parser
    /// of text from the network keeps, so that a value read in one format can be written in
    /// any other.
    fn on_the_wire(self) -> Option<Self> {
        (Self::MIN.seconds..=Self::MAX.seconds)
            .contains(&self.seconds)
            .then_some(self)
    }

    /// Whole seconds since the epoch.
    pub const fn from_secs(seconds: i64) -> Self {
        Self { seconds, nanos: 0 }
    }

    /// Seconds since the epoch plus nanoseconds; whole seconds in `nanos` are carried into
    /// the seconds, which stop at the last second `i64` holds.
    pub const fn from_secs_and_nanos(seconds: i64, nanos: u32) -> Self {
        Self {
            seconds: seconds.saturating_add((nanos / 1_000_000_000) as i64),
            nanos: nanos % 1_000_000_000,
        }
    }

    /// Fractional seconds since the epoch, to the nearest nanosecond; `None` if not finite or
    /// outside [`DateTime::MIN`]..=[`DateTime::MAX`].
    pub fn from_secs_f64(seconds: f64) -> Option<Self> {
        if !seconds.is_finite() || seconds.abs() > 9.2e15 {
            return None;
        }
        // The shortest decimal text that reads back as `seconds` is what a JSON document wrote:
        // `1576540098.123` keeps its 123 milliseconds instead of becoming the nearest binary
        // fraction, 1576540098.12299990654.
        Self::parse_epoch_seconds(&seconds.to_string())
    }

    /// Whole seconds since the epoch (rounded down).
    pub const fn secs(&self) -> i64 {
        self.seconds
    }

    /// Nanoseconds past [`DateTime::secs`].
    pub const fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Fractional seconds since the epoch.
    pub fn as_secs_f64(&self) -> f64 {
        self.seconds as f64 + f64::from(self.nanos) / 1e9
    }

    /// The UTC calendar date and time of day: year, month, day, hour, minute, second.
    pub(crate) fn civil(&self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.seconds.div_euclid(86_400);
        let secs = self.seconds.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        (year, month, day, secs / 3600, secs / 60 % 60, secs % 60)
    }

    /// RFC 3339 `date-time` in UTC, such as `1985-04-12T23:20:50.52Z`.
    pub fn to_date_time(&self) -> String {
        let (year, month, day, hour, minute, second) = self.civil();
        let mut text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
        if self.nanos != 0 {
            let fraction = format!("{:09}", self.nanos);
            text.push('.');
            text.push_str(fraction.trim_end_matches('0'));
        }
        text.push('Z');
        text
    }

    /// RFC 7231 `http-date` (IMF-fixdate), such as `Tue, 29 Apr 2014 18:30:38 GMT`.
    pub fn to_http_date(&self) -> String {
        let (year, month, day, hour, minute, second) = self.civil();
        let weekday = WEEKDAYS[(self.seconds.div_euclid(86_400) + 4).rem_euclid(7) as usize];
        let month = MONTHS[month as usize - 1];
        format!("{weekday}, {day:02} {month} {year:04} {hour:02}:{minute:02}:{second:02} GMT")
    }

    /// Epoch seconds as text: an integer, or a decimal when there are fractional seconds.
    pub fn to_epoch_seconds(&self) -> String {
        if self.nanos == 0 {
            return self.seconds.to_string();
        }
        // Before the epoch the fraction counts back from the next whole second: -0.5 is
        // `seconds` -1 plus 500 000 000 nanoseconds.
        let (sign, whole, nanos) = if self.seconds < 0 {
            ("-", -(self.seconds + 1), 1_000_000_000 - self.nanos)
        } else {
            ("", self.seconds, self.nanos)
        };
        let fraction = format!("{nanos:09}");
        format!("{sign}{whole}.{}", fraction.trim_end_matches('0'))
    }

    /// Parses an RFC 3339 `date-time` in UTC (ending in `Z`); `None` if it is not one.
    pub fn parse_utc_date_time(text: &str) -> Option<Self> {
        if text.ends_with(['Z', 'z']) {
            Self::parse_date_time(text)
        } else {
            None
        }
    }

    /// Parses an RFC 3339 `date-time`, with any offset; `None` if it is not one, or if its
    /// offset takes it outside [`DateTime::MIN`]..=[`DateTime::MAX`].
    pub fn parse_date_time(text: &str) -> Option<Self> {
        let text = text.trim_ascii();
        Self::parse_utc_by_place(text.as_bytes()).or_else(|| Self::parse_date_time_in_full(text))
    }

    /// [`DateTime::parse_date_time`] for every form RFC 3339 allows.
    fn parse_date_time_in_full(text: &str) -> Option<Self> {
        let (date, rest) = text.split_at_checked(10)?;
        let rest = rest.strip_prefix(['T', 't'])?;
        if date.as_bytes()[4] != b'-' || date.as_bytes()[7] != b'-' {
            return None;
        }
        let year = i64::from(fixed_digits(date.get(0..4)?, 4)?);
        let month = fixed_digits(date.get(5..7)?, 2)?;
        let day = fixed_digits(date.get(8..10)?, 2)?;
        if !is_date(year, month, day) {
            return None;
        }
        let (time, offset_seconds) = if let Some(time) = rest.strip_suffix(['Z', 'z']) {
            (time, 0)
        } else {
            let split = rest.rfind(['+', '-'])?;
            let (time, offset) = rest.split_at(split);
            let sign = if offset.starts_with('-') { -1 } else { 1 };
            let (hours, minutes) = offset[1..].split_once(':')?;
            let (hours, minutes) = (fixed_digits(hours, 2)?, fixed_digits(minutes, 2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            (time, sign * (i64::from(hours) * 3600 + i64::from(minutes) * 60))
        };
        let (seconds_of_day, nanos) = parse_time_of_day(time)?;
        let seconds = days_from_civil(year, month, day) * 86_400 + seconds_of_day - offset_seconds;
        Self::from_secs_and_nanos(seconds, nanos).on_the_wire()
    }

    /// The form services write: `YYYY-MM-DDTHH:MM:SS`, up to nine digits of a fraction after a
    /// `.`, and `Z`, each digit read at its place. `None` for any other text, which the full
    /// parser then reads (or refuses) as before.
    fn parse_utc_by_place(bytes: &[u8]) -> Option<Self> {
        let (head, tail) = bytes.split_first_chunk::<19>()?;
        let fraction = match tail {
            [b'Z' | b'z'] => &[][..],
            [b'.', fraction @ .., b'Z' | b'z'] if (1..=9).contains(&fraction.len()) => fraction,
            _ => return None,
        };
        if head[4] != b'-'
            || head[7] != b'-'
            || !matches!(head[10], b'T' | b't')
            || head[13] != b':'
            || head[16] != b':'
        {
            return None;
        }
        // Each digit's value; a byte that is not a digit becomes 10 or more. The places are
        // checked one by one, written out: a fold over them was not inlined (about 160 more
        // instructions a timestamp).
        let digit = |at: usize| u32::from(head[at].wrapping_sub(b'0'));
        let not_digits = (digit(0) > 9)
            | (digit(1) > 9)
            | (digit(2) > 9)
            | (digit(3) > 9)
            | (digit(5) > 9)
            | (digit(6) > 9)
            | (digit(8) > 9)
            | (digit(9) > 9)
            | (digit(11) > 9)
            | (digit(12) > 9)
            | (digit(14) > 9)
            | (digit(15) > 9)
            | (digit(17) > 9)
            | (digit(18) > 9);
        if not_digits {
            return None;
        }
        let pair = |at: usize| digit(at) * 10 + digit(at + 1);
        let year = i64::from(pair(0) * 100 + pair(2));
        let (month, day, hour, minute, second) = (pair(5), pair(8), pair(11), pair(14), pair(17));
        if !is_date(year, month, day) || hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        // The fraction's digits, then as many zeros as make nine.
        const SCALE: [u32; 10] = [
            0,
            100_000_000,
            10_000_000,
            1_000_000,
            100_000,
            10_000,
            1_000,
            100,
            10,
            1,
        ];
        let mut nanos = 0;
        for byte in fraction {
            let digit = u32::from(byte.wrapping_sub(b'0'));
            if digit > 9 {
                return None;
            }
            nanos = nanos * 10 + digit;
        }
        let nanos = nanos * SCALE[fraction.len()];
        let seconds = days_from_civil(year, month, day) * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
        Self::from_secs_and_nanos(seconds, nanos).on_the_wire()
    }

    /// Parses an RFC 7231 IMF-fixdate `http-date` (`Tue, 29 Apr 2014 18:30:38 GMT`, fractional
    /// seconds allowed); `None` if it is not one.
    pub fn parse_http_date(text: &str) -> Option<Self> {
        let (weekday, rest) = text.trim().split_once(", ")?;
        if !WEEKDAYS.contains(&weekday) {
            return None;
        }
        let mut parts = rest.split(' ');
        let day = fixed_digits(parts.next()?, 2)?;
        let month_name = parts.next()?;
        let month = MONTHS.iter().position(|month| *month == month_name)? as u32 + 1;
        let year = i64::from(fixed_digits(parts.next()?, 4)?);
        let time = parts.next()?;
        if parts.next()? != "GMT" || parts.next().is_some() || !is_date(year, month, day) {
            return None;
        }
        let (seconds_of_day, nanos) = parse_time_of_day(time)?;
        Some(Self::from_secs_and_nanos(
            days_from_civil(year, month, day) * 86_400 + seconds_of_day,
            nanos,
        ))
    }

    /// Parses epoch seconds written as a decimal number; `None` if it is not one, or if it is
    /// outside [`DateTime::MIN`]..=[`DateTime::MAX`] (the years RFC 3339 can write).
    pub fn parse_epoch_seconds(text: &str) -> Option<Self> {
        Self::parse_any_epoch_seconds(text)?.on_the_wire()
    }

    fn parse_any_epoch_seconds(text: &str) -> Option<Self> {
        let text = text.trim();
        match text.split_once('.') {
            None => text.parse().ok().map(Self::from_secs),
            Some((whole, fraction)) => {
                if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let seconds: i64 = whole.parse().ok()?;
                let padded: String = fraction.chars().chain(std::iter::repeat('0')).take(9).collect();
                let nanos = digits(&padded)?;
                if whole.starts_with('-') && nanos > 0 {
                    Some(Self::from_secs_and_nanos(
                        seconds.checked_sub(1)?,
                        1_000_000_000 - nanos,
                    ))
                } else {
                    Some(Self::from_secs_and_nanos(seconds, nanos))
                }
            }
        }
    }
}

impl From<std::time::SystemTime> for DateTime {
    fn from(time: std::time::SystemTime) -> Self {
        match time.duration_since(std::time::UNIX_EPOCH) {
            Ok(after) => Self::from_secs_and_nanos(after.as_secs() as i64, after.subsec_nanos()),
            Err(before) => {
                let before = before.duration();
                let (seconds, nanos) = (before.as_secs() as i64, before.subsec_nanos());
                if nanos == 0 {
                    Self::from_secs(-seconds)
                } else {
                    Self::from_secs_and_nanos(-seconds.saturating_add(1), 1_000_000_000 - nanos)
                }
            }
        }
    }
}

impl std::fmt::Debug for DateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_date_time())
    }
}

impl std::fmt::Display for DateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_date_time())
    }
}

impl serde::Serialize for DateTime {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.nanos == 0 {
            serializer.serialize_i64(self.seconds)
        } else {
            serializer.serialize_f64(self.as_secs_f64())
        }
    }
}

/// Reads a timestamp from a number of epoch seconds, and with `text`, from any of the three
/// text forms as well.
struct TimestampVisitor {
    text: bool,
}

impl serde::de::Visitor<'_> for TimestampVisitor {
    type Value = DateTime;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.text {
            f.write_str("a timestamp: epoch seconds, an RFC 3339 date-time or an HTTP date")
        } else {
            f.write_str("epoch seconds, as a number")
        }
    }

    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<DateTime, E> {
        Ok(DateTime::from_secs(value))
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<DateTime, E> {
        i64::try_from(value).map(DateTime::from_secs).map_err(E::custom)
    }

    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<DateTime, E> {
        DateTime::from_secs_f64(value).ok_or_else(|| E::custom("timestamp out of range"))
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<DateTime, E> {
        if !self.text {
            return Err(E::invalid_type(serde::de::Unexpected::Str(value), &self));
        }
        DateTime::parse_date_time(value)
            .or_else(|| DateTime::parse_http_date(value))
            .or_else(|| DateTime::parse_epoch_seconds(value))
            .ok_or_else(|| E::custom(format!("invalid timestamp `{value}`")))
    }
}

impl<'de> serde::Deserialize<'de> for DateTime {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TimestampVisitor { text: true })
    }
}

#[cfg(test)]
mod tests {
    use super::DateTime;

    #[test]
    fn epoch_seconds_at_the_ends_of_i64_are_refused_without_overflow() {
        for text in [
            "-9223372036854775808.5",
            "-9223372036854775808.000000001",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775807.5",
            "9223372036854775807.999999999",
        ] {
            assert_eq!(DateTime::parse_epoch_seconds(text), None, "{text}");
        }
        // Programs may still make them, and write them without overflow.
        for time in [
            DateTime::from_secs(i64::MIN),
            DateTime::from_secs_and_nanos(i64::MAX, 999_999_999),
        ] {
            assert!(!time.to_date_time().is_empty() && !time.to_http_date().is_empty());
            assert!(!time.to_epoch_seconds().is_empty());
        }
        assert_eq!(DateTime::from_secs_and_nanos(i64::MAX, u32::MAX).secs(), i64::MAX);
        assert_eq!(DateTime::from_secs_f64(-9.3e15), None);
    }

    #[test]
    fn the_common_form_is_read_by_place_as_the_full_parser_reads_it() {
        let mut texts = Vec::new();
        for date in [
            "2026-12-04",
            "2024-02-29",
            "2023-02-29",
            "0000-01-01",
            "9999-12-31",
            "2026-13-01",
            "2026-1a-01",
        ] {
            for time in ["00:00:00", "23:59:60", "24:00:00", "12:60:00", "1:00:00", "12:00:0x"] {
                for fraction in ["", ".", ".5", ".000", ".123456789", ".1234567891", ".1a"] {
                    for end in ["Z", "z", "+00:00", ""] {
                        texts.push(format!("{date}T{time}{fraction}{end}"));
                    }
                }
            }
        }
        let mut by_place = 0;
        for text in &texts {
            let full = DateTime::parse_date_time_in_full(text);
            if let Some(time) = DateTime::parse_utc_by_place(text.as_bytes()) {
                by_place += 1;
                assert_eq!(Some(time), full, "{text}");
            }
            assert_eq!(DateTime::parse_date_time(text), full, "{text}");
        }
        assert!(by_place >= 50, "{by_place} of {} read by place", texts.len());
        // The leap second after the last one on the wire is outside it, either way.
        assert_eq!(DateTime::parse_date_time("9999-12-31T23:59:60Z"), None);
    }

    #[test]
    fn fractions_of_a_second_are_read_to_the_nanosecond() {
        for (text, nanos) in [
            ("2026-12-04T00:00:00.5Z", 500_000_000),
            ("2026-12-04T00:00:00.000Z", 0),
            ("2026-12-04T00:00:00.123456789Z", 123_456_789),
            ("2026-12-04T00:00:00.1234567891234Z", 123_456_789),
        ] {
            let time = DateTime::parse_date_time(text).expect(text);
            assert_eq!(time.subsec_nanos(), nanos, "{text}");
        }
        for text in [
            "2026-12-04T00:00:00.Z",
            "2026-12-04T00:00:00.1aZ",
            "2026-12-04T00:00:00.+1Z",
        ] {
            assert_eq!(DateTime::parse_date_time(text), None, "{text}");
        }
    }

    /// Found by the `primitives` fuzz target: epoch seconds of year 292,277,026,596 were read,
    /// and their RFC 3339 form could not be read back.
    #[test]
    fn what_any_parser_reads_every_format_writes_and_reads_back() {
        assert_eq!(DateTime::MIN.to_date_time(), "0000-01-01T00:00:00Z");
        assert_eq!(DateTime::MAX.to_date_time(), "9999-12-31T23:59:59.999999999Z");
        assert_eq!(DateTime::parse_epoch_seconds("-9223372036854775808.55"), None);
        assert_eq!(DateTime::parse_epoch_seconds("-62167219200.5"), None);
        assert_eq!(DateTime::parse_epoch_seconds("253402300800"), None);
        assert_eq!(DateTime::parse_date_time("0000-01-01T00:00:00+00:01"), None);
        assert_eq!(DateTime::parse_date_time("9999-12-31T23:59:59-00:01"), None);
        for text in [
            "-62167219200",
            "-62167219199.5",
            "253402300799.999999999",
            "0",
            "-0.5",
            "1576540098.52",
        ] {
            let time = DateTime::parse_epoch_seconds(text).expect(text);
            let written = time.to_date_time();
            assert_eq!(DateTime::parse_date_time(&written), Some(time), "{text} → {written}");
            // An HTTP date has whole seconds.
            let written = time.to_http_date();
            let read = DateTime::parse_http_date(&written).map(|read| read.secs());
            assert_eq!(read, Some(time.secs()), "{text} → {written}");
            assert_eq!(DateTime::parse_epoch_seconds(&time.to_epoch_seconds()), Some(time));
        }
    }
}
