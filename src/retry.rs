//! The retry policy: pure, with the clock and the random draw passed in.
//!
//! Retried: 429 on any method (the server did not act on the request), and network errors,
//! timeouts, 502, 503 and 504 on idempotent requests only. The delay is jittered exponential
//! backoff, or the server's `Retry-After` when it sends one (seconds or an HTTP date).

/// What happened on one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome<'a> {
    /// No answer: connection failed or the timeout elapsed.
    NoAnswer,
    /// An HTTP answer with this status and `Retry-After` header.
    Status(u16, Option<&'a str>),
}

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Wait this long, then try again.
    Retry {
        /// Milliseconds to wait.
        delay_ms: u64,
    },
    /// Give up and report this outcome.
    Stop,
}

/// How many times and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// The first backoff step.
    pub base_delay_ms: u64,
    /// The largest backoff step.
    pub max_delay_ms: u64,
    /// A `Retry-After` longer than this is not waited for: the error is reported instead.
    pub max_retry_after_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay_ms: 250,
            max_delay_ms: 8_000,
            max_retry_after_ms: 60_000,
        }
    }
}

impl RetryPolicy {
    /// Decides after attempt number `retries_done + 1`. `now_ms` is the Unix time in milliseconds
    /// (for HTTP-date `Retry-After`), `random` a uniform draw from `[0, 1)`.
    pub fn decide(
        &self,
        retries_done: u32,
        idempotent: bool,
        outcome: Outcome<'_>,
        now_ms: f64,
        random: f64,
    ) -> Decision {
        if retries_done >= self.max_retries {
            return Decision::Stop;
        }
        let retry_after = match outcome {
            Outcome::NoAnswer if idempotent => None,
            Outcome::Status(429, ra) => ra,
            Outcome::Status(502..=504, ra) if idempotent => ra,
            _ => return Decision::Stop,
        };
        if let Some(ms) = retry_after.and_then(|v| parse_retry_after_ms(v, now_ms)) {
            return if ms <= self.max_retry_after_ms {
                Decision::Retry { delay_ms: ms }
            } else {
                Decision::Stop
            };
        }
        Decision::Retry {
            delay_ms: self.backoff_ms(retries_done, random),
        }
    }

    /// Equal-jitter exponential backoff: half the step, plus a random share of the other half.
    pub fn backoff_ms(&self, retries_done: u32, random: f64) -> u64 {
        let step = self
            .base_delay_ms
            .saturating_mul(1u64 << retries_done.min(20))
            .min(self.max_delay_ms);
        let r = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.5
        };
        step / 2 + ((step / 2) as f64 * r) as u64
    }
}

/// Parses `Retry-After` (RFC 9110 §10.2.3): delta-seconds, or an IMF-fixdate relative to `now_ms`.
/// A date in the past means no wait. `None` for anything unparseable.
pub fn parse_retry_after_ms(value: &str, now_ms: f64) -> Option<u64> {
    let v = value.trim();
    if !v.is_empty() && v.len() <= 10 && v.bytes().all(|b| b.is_ascii_digit()) {
        return v.parse::<u64>().ok().map(|s| s.saturating_mul(1000));
    }
    let at = parse_imf_fixdate(v)?;
    let delta = at as f64 * 1000.0 - now_ms;
    Some(if delta > 0.0 { delta as u64 } else { 0 })
}

/// Parses `Sun, 06 Nov 1994 08:49:37 GMT` into Unix seconds.
pub fn parse_imf_fixdate(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 29 || &b[3..5] != b", " || &b[25..] != b" GMT" {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let day = num(5..7)?;
    let month = match s.get(8..11)? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year = num(12..16)?;
    let (h, m, sec) = (num(17..19)?, num(20..22)?, num(23..25)?);
    if b[7] != b' ' || b[11] != b' ' || b[16] != b' ' || b[19] != b':' || b[22] != b':' {
        return None;
    }
    if !(1..=31).contains(&day) || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    Some(crate::time::days_from_civil(year, month, day) * 86_400 + h * 3600 + m * 60 + sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: RetryPolicy = RetryPolicy {
        max_retries: 3,
        base_delay_ms: 100,
        max_delay_ms: 1000,
        max_retry_after_ms: 5000,
    };

    #[test]
    fn what_is_retried() {
        let r = |idem, o| P.decide(0, idem, o, 0.0, 0.0);
        assert!(matches!(r(true, Outcome::NoAnswer), Decision::Retry { .. }));
        assert_eq!(r(false, Outcome::NoAnswer), Decision::Stop);
        for s in [502, 503, 504] {
            assert!(matches!(
                r(true, Outcome::Status(s, None)),
                Decision::Retry { .. }
            ));
            assert_eq!(r(false, Outcome::Status(s, None)), Decision::Stop);
        }
        assert!(matches!(
            r(false, Outcome::Status(429, None)),
            Decision::Retry { .. }
        ));
        for s in [400, 401, 403, 404, 409, 422, 500, 501] {
            assert_eq!(r(true, Outcome::Status(s, None)), Decision::Stop, "{s}");
        }
        assert_eq!(
            P.decide(3, true, Outcome::NoAnswer, 0.0, 0.0),
            Decision::Stop
        );
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        assert_eq!(
            P.decide(0, false, Outcome::Status(429, Some("2")), 0.0, 0.9),
            Decision::Retry { delay_ms: 2000 }
        );
        assert_eq!(
            P.decide(0, false, Outcome::Status(429, Some("60")), 0.0, 0.0),
            Decision::Stop
        );
        let now = 784_111_777_000.0 - 1500.0;
        assert_eq!(
            P.decide(
                0,
                true,
                Outcome::Status(503, Some("Sun, 06 Nov 1994 08:49:37 GMT")),
                now,
                0.0
            ),
            Decision::Retry { delay_ms: 1500 }
        );
        // Unparseable: falls back to backoff.
        assert!(matches!(
            P.decide(0, true, Outcome::Status(503, Some("soon")), 0.0, 0.0),
            Decision::Retry { delay_ms: 50 }
        ));
    }

    #[test]
    fn backoff_grows_with_jitter_and_cap() {
        assert_eq!(P.backoff_ms(0, 0.0), 50);
        assert_eq!(P.backoff_ms(0, 0.999), 99);
        assert_eq!(P.backoff_ms(2, 0.0), 200);
        assert_eq!(P.backoff_ms(10, 1.0), 1000);
        assert_eq!(P.backoff_ms(u32::MAX, f64::NAN), 750);
    }

    #[test]
    fn http_dates() {
        assert_eq!(
            parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(parse_imf_fixdate("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 UTC"), None);
        assert_eq!(parse_imf_fixdate("Sun, 06 Foo 1994 08:49:37 GMT"), None);
        assert_eq!(
            parse_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", 9e12),
            Some(0)
        );
        assert_eq!(parse_retry_after_ms("-1", 0.0), None);
        assert_eq!(parse_retry_after_ms("99999999999", 0.0), None);
    }
}
