//! RFC 3339 (UTC) formatting and parsing of Unix seconds without a date library.

/// `1970-01-01T00:00:00Z` style.
pub fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Parses an RFC 3339 date-time (`2026-01-01T12:00:00Z`, `2026-01-01T13:00:00.250+01:00`) into
/// Unix seconds, rounding a fraction down. `None` for anything else.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    parse_rfc3339_ms(s).map(|ms| ms.div_euclid(1000))
}

/// Like [`parse_rfc3339`], in Unix milliseconds (digits after the third decimal are dropped).
///
/// Accepted: `YYYY-MM-DDTHH:MM:SS`, an optional fraction (`.` and one or more digits), then `Z`
/// or `±hh:mm`. `T` and `Z` may be lowercase (RFC 3339, section 5.6). Dates and times are checked
/// (month lengths, leap years; no leap second).
pub fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let num = |from: usize, to: usize| -> Option<i64> {
        let part = b.get(from..to)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0, |acc, d| acc * 10 + i64::from(d - b'0')))
    };
    if at(4) != b'-'
        || at(7) != b'-'
        || !matches!(at(10), b'T' | b't')
        || at(13) != b':'
        || at(16) != b':'
    {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut i = 19;
    let mut millis = 0;
    if at(i) == b'.' {
        i += 1;
        let start = i;
        while at(i).is_ascii_digit() {
            if i - start < 3 {
                millis = millis * 10 + i64::from(at(i) - b'0');
            }
            i += 1;
        }
        if i == start {
            return None;
        }
        for _ in (i - start)..3 {
            millis *= 10;
        }
    }
    let offset = match at(i) {
        b'Z' | b'z' if b.len() == i + 1 => 0,
        sign @ (b'+' | b'-') if b.len() == i + 6 && at(i + 3) == b':' => {
            let (oh, om) = (num(i + 1, i + 3)?, num(i + 4, i + 6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    let secs =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    Some(secs * 1000 + millis)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Howard Hinnant's civil-from-days.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Howard Hinnant's days-from-civil, the inverse of [`civil_from_days`].
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::{parse_rfc3339, parse_rfc3339_ms, rfc3339};

    #[test]
    fn formats() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(784_111_777), "1994-11-06T08:49:37Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn parses_utc_offsets_and_fractions() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("1994-11-06T08:49:37Z"), Some(784_111_777));
        assert_eq!(parse_rfc3339("1994-11-06t08:49:37z"), Some(784_111_777));
        assert_eq!(
            parse_rfc3339("1994-11-06T09:49:37+01:00"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_rfc3339("1994-11-06T03:19:37-05:30"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_rfc3339("1994-11-06T08:49:37-00:00"),
            Some(784_111_777)
        );
        assert_eq!(parse_rfc3339("1994-11-06T08:49:37.999Z"), Some(784_111_777));
        assert_eq!(
            parse_rfc3339_ms("1994-11-06T08:49:37.5Z"),
            Some(784_111_777_500)
        );
        assert_eq!(
            parse_rfc3339_ms("1994-11-06T08:49:37.123456789+00:00"),
            Some(784_111_777_123)
        );
        assert_eq!(parse_rfc3339("2000-02-29T00:00:00Z"), Some(951_782_400));
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59Z"), Some(-1));
        assert_eq!(parse_rfc3339_ms("1969-12-31T23:59:59.5Z"), Some(-500));
        assert_eq!(parse_rfc3339("9999-12-31T23:59:59Z"), Some(253_402_300_799));
    }

    #[test]
    fn round_trips_with_the_formatter() {
        let mut t = -62_135_596_800_i64; // 0001-01-01
        while t < 253_402_300_799 {
            assert_eq!(parse_rfc3339(&rfc3339(t)), Some(t), "{}", rfc3339(t));
            t += 7_777_777;
        }
    }

    #[test]
    fn rejects_anything_else() {
        for bad in [
            "",
            "2026-01-01",
            "2026-01-01T12:00:00",
            "2026-01-01 12:00:00Z",
            "2026-01-01T12:00Z",
            "2026-01-01T12:00:00+0100",
            "2026-01-01T12:00:00+01",
            "2026-01-01T12:00:00+24:00",
            "2026-01-01T12:00:00+01:60",
            "2026-01-01T12:00:00.Z",
            "2026-01-01T12:00:00,5Z",
            "2026-01-01T12:00:00ZZ",
            "2026-01-01T12:00:00Z ",
            " 2026-01-01T12:00:00Z",
            "2026-13-01T12:00:00Z",
            "2026-00-01T12:00:00Z",
            "2026-01-00T12:00:00Z",
            "2026-04-31T12:00:00Z",
            "2023-02-29T12:00:00Z",
            "1900-02-29T12:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T12:60:00Z",
            "2026-01-01T12:00:60Z",
            "+2026-01-01T12:00:00Z",
            "20260-01-01T12:00:00Z",
            "2026-1-01T12:00:00Z",
            "２026-01-01T12:00:00Z",
            "2026-01-01T12:00:00.5é",
            "1700000000",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
        }
        assert_eq!(parse_rfc3339("2024-02-29T12:00:00Z"), Some(1_709_208_000));
    }
}
