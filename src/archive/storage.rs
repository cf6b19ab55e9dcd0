//! Object storage, where an archive's file is fetched from: which URLs it may come from, what a
//! failed answer is called, and when (and whether) to ask again.
//!
//! Pure: the host (`downloadArchive` in JavaScript) performs the requests and asks here, so the
//! rules are the same as the API's (the status codes of [`ApiError::code_for_status`], the
//! `Retry-After` parsing of [`crate::retry`], the loopback rule of
//! [`is_loopback_host`](crate::config::is_loopback_host)).

use crate::api::Operation;
use crate::config::is_loopback_host;
use crate::error::ApiError;
use crate::retry::{parse_retry_after_ms, RetryPolicy};

/// The most resumes a download may be allowed (`maxResumes`).
pub const MAX_RESUMES: u32 = 100;

/// Checks a storage URL (absolute): `https`, or `http` to a loopback host (the simulator), with a
/// host and no credentials. The same rule for the API's `Location` and for where storage's own
/// redirects end.
///
/// # Errors
/// Why the URL is refused.
pub fn check_storage_url(url: &str) -> Result<(), &'static str> {
    if url.bytes().any(|b| b <= b' ' || b == 0x7f || b == b'\\') || url.len() > 8192 {
        return Err("storage URL has forbidden characters");
    }
    let lower = url.to_ascii_lowercase();
    let (secure, rest) = if let Some(r) = lower.strip_prefix("https://") {
        (true, r)
    } else if let Some(r) = lower.strip_prefix("http://") {
        (false, r)
    } else {
        return Err("storage URL must be https");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') {
        return Err("storage URL must name a host and carry no credentials");
    }
    if !secure {
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split_once(']').map_or("", |(h, _)| h),
            None => authority.split(':').next().unwrap_or(""),
        };
        let host = if authority.starts_with('[') {
            format!("[{host}]")
        } else {
            host.to_owned()
        };
        if !is_loopback_host(&host) {
            return Err("storage URL must be https (http only to a loopback host)");
        }
    }
    Ok(())
}

/// The error for a storage answer with an error `status`, `Retry-After` (when sent) kept as
/// milliseconds. The code is the API's for the same status (413 `PAYLOAD_TOO_LARGE`, ...).
pub fn storage_error(status: u16, retry_after: Option<&str>, now_ms: f64) -> ApiError {
    ApiError {
        status,
        code: ApiError::code_for_status(status),
        message: format!("object storage answered {status}"),
        operation: Operation::DownloadArchive.name(),
        body: None,
        retry_after_ms: retry_after.and_then(|v| parse_retry_after_ms(v, now_ms)),
    }
}

/// A failed attempt to read from storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageFailure {
    /// The connection failed or broke mid-file.
    Broken,
    /// Storage answered this error status, with its `Retry-After` in milliseconds (see
    /// [`storage_error`]).
    Status(u16, Option<u64>),
    /// Storage answered something unusable (wrong range, a changed file): never retried.
    Invalid,
}

/// What to do after a failed storage attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageDecision {
    /// Wait, then resume from the current offset; `new_url`: ask the API for a fresh signed URL
    /// first (storage answered 403: the URL may have expired).
    Resume {
        /// Milliseconds to wait.
        delay_ms: u64,
        /// Whether to resolve the download URL again.
        new_url: bool,
    },
    /// Give up and report the failure.
    Stop,
}

/// Decides after a failed storage attempt, `resumes_done` resumes into a download allowed
/// `max_resumes`. Resumed: broken connections, 5xx, 429 and 403 (a fresh URL first). The wait is
/// storage's `Retry-After` when it sends one (one longer than a minute is not waited for: the
/// error is reported), else jittered exponential backoff from 100 ms to 2 s.
pub fn decide(
    failure: StorageFailure,
    resumes_done: u32,
    max_resumes: u32,
    random: f64,
) -> StorageDecision {
    let policy = RetryPolicy {
        max_retries: max_resumes.min(MAX_RESUMES),
        base_delay_ms: 100,
        max_delay_ms: 2_000,
        ..RetryPolicy::default()
    };
    if resumes_done >= policy.max_retries {
        return StorageDecision::Stop;
    }
    let (retry_after, new_url) = match failure {
        StorageFailure::Broken => (None, false),
        StorageFailure::Status(403, ra) => (ra, true),
        StorageFailure::Status(s, ra) if s == 429 || (500..=599).contains(&s) => (ra, false),
        StorageFailure::Status(..) | StorageFailure::Invalid => return StorageDecision::Stop,
    };
    let delay_ms = match retry_after {
        Some(ms) if ms > policy.max_retry_after_ms => return StorageDecision::Stop,
        Some(ms) => ms,
        None => policy.backoff_ms(resumes_done, random),
    };
    StorageDecision::Resume { delay_ms, new_url }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        for ok in [
            "https://s3.example.com/b/a.zip?X-Sig=1",
            "http://127.0.0.1:9000/a",
            "http://localhost/a",
            "http://[::1]:80/a",
            "HTTPS://S3.EXAMPLE.COM/a",
        ] {
            assert_eq!(check_storage_url(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://s3.example.com/a",
            "http://10.0.0.1/a",
            "ftp://x/a",
            "https://user:pw@s3.example.com/a",
            "https:///a",
            "https://s3.example.com/a b",
            "http://[::2]/a",
            "http://127.0.0.1.evil.example/a",
            "",
        ] {
            assert!(check_storage_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn errors_carry_the_api_codes() {
        assert_eq!(storage_error(413, None, 0.0).code, "PAYLOAD_TOO_LARGE");
        assert_eq!(storage_error(422, None, 0.0).code, "UNPROCESSABLE");
        assert_eq!(storage_error(503, None, 0.0).code, "SERVER_ERROR");
        let e = storage_error(429, Some("7"), 0.0);
        assert_eq!(
            (e.code, e.retry_after_ms, e.operation),
            ("RATE_LIMITED", Some(7000), "archiveDownloadUrl")
        );
    }

    #[test]
    fn decisions() {
        use StorageDecision::*;
        use StorageFailure::*;
        let d = |f, done| decide(f, done, 5, 0.5);
        assert_eq!(
            d(Status(503, Some(3000)), 0),
            Resume {
                delay_ms: 3000,
                new_url: false
            }
        );
        assert_eq!(
            d(Status(429, Some(3_600_000)), 0),
            Stop,
            "a long Retry-After is reported"
        );
        assert_eq!(
            d(Status(403, None), 0),
            Resume {
                delay_ms: 75,
                new_url: true
            }
        );
        assert_eq!(
            d(Broken, 1),
            Resume {
                delay_ms: 150,
                new_url: false
            }
        );
        assert_eq!(d(Broken, 5), Stop);
        for s in [400, 404, 410, 413, 416, 422] {
            assert_eq!(d(Status(s, None), 0), Stop, "{s}");
        }
        assert_eq!(d(Invalid, 0), Stop);
        assert_eq!(decide(Broken, 100, u32::MAX, 0.5), Stop);
        let Resume { delay_ms, .. } = d(Broken, 4) else {
            panic!()
        };
        assert!(delay_ms <= 2000);
    }
}
