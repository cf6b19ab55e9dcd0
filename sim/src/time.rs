//! RFC 3339 (UTC) date-times for the simulator: the SDK's own formatter and parser (one
//! implementation of the calendar arithmetic in the workspace), in Unix seconds or milliseconds.

use flexperto_sdk::time::{format_rfc3339, format_rfc3339_ms, parse_rfc3339_ms as sdk_parse_ms};

/// `1970-01-01T00:00:00Z` style.
pub fn rfc3339(secs: i64) -> String {
    format_rfc3339(secs)
}

/// Like [`rfc3339`] with milliseconds: `1970-01-01T00:00:00.000Z`.
pub fn rfc3339_ms(ms: i64) -> String {
    format_rfc3339_ms(ms)
}

/// Parses an RFC 3339 date-time into Unix seconds, rounding a fraction down. `None` otherwise.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    parse_rfc3339_ms(s).map(|ms| ms.div_euclid(1000))
}

/// Like [`parse_rfc3339`], in Unix milliseconds (digits after the third decimal are dropped).
pub fn parse_rfc3339_ms(s: &str) -> Option<i64> {
    sdk_parse_ms(s)
}

#[cfg(test)]
mod tests {
    use super::{parse_rfc3339, parse_rfc3339_ms, rfc3339, rfc3339_ms};

    #[test]
    fn formats() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_ms(784_111_777_042), "1994-11-06T08:49:37.042Z");
        assert_eq!(rfc3339_ms(-500), "1969-12-31T23:59:59.500Z");
        assert_eq!(
            parse_rfc3339_ms(&rfc3339_ms(1_795_897_471_999)),
            Some(1_795_897_471_999)
        );
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
