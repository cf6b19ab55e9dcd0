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
        operation: Operation::ArchiveDownloadUrl.name(),
        body: None,
        retry_after_ms: retry_after.and_then(|v| parse_retry_after_ms(v, now_ms)),
    }
}

/// What a download knows before storage answers: the bytes received so far, and the file's ETag
/// and length when an earlier answer gave them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress<'a> {
    /// Bytes received so far (the `Range` asked starts there).
    pub bytes: u64,
    /// The file's ETag, from the first answer.
    pub etag: Option<&'a str>,
    /// The file's length, when an answer gave it.
    pub total: Option<u64>,
}

impl Progress<'_> {
    /// Whether every byte of a file of known length has arrived.
    pub fn complete(&self) -> bool {
        self.total.is_some_and(|t| self.bytes >= t)
    }
}

/// What one read of a download's body means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// A chunk: drop its first `drop` bytes (received before; see [`Opened::Read`]), keep the rest.
    Keep {
        /// Bytes of the chunk to drop, at most its length.
        drop: u64,
    },
    /// The body ended and the file is complete (or its length is unknown: a clean end is the end).
    End,
    /// The body ended before the file's length: the connection broke, so resume.
    Broken(String),
    /// An answer the SDK cannot use: never retried.
    Invalid(&'static str),
}

/// What one read of a download's body means: `len` is the chunk's length, `None` at the body's
/// end; `skip` the bytes of the body still to drop (storage ignored the `Range`).
pub fn receive(p: &Progress<'_>, skip: u64, len: Option<u64>) -> Received {
    let Some(len) = len else {
        if skip > 0 {
            return Received::Invalid("object storage sent less than was already received");
        }
        return match p.total {
            Some(total) if p.bytes < total => {
                Received::Broken(format!("connection closed at {} of {total} bytes", p.bytes))
            }
            _ => Received::End,
        };
    };
    let drop = skip.min(len);
    if p.total.is_some_and(|t| p.bytes + (len - drop) > t) {
        return Received::Invalid("object storage sent more than the file's length");
    }
    Received::Keep { drop }
}

/// The parts of storage's answer to a GET that decide what it means.
#[derive(Debug, Clone, Copy, Default)]
pub struct Answer<'a> {
    /// The HTTP status.
    pub status: u16,
    /// `Content-Range`.
    pub content_range: Option<&'a str>,
    /// `ETag`.
    pub etag: Option<&'a str>,
    /// `Content-Length`.
    pub content_length: Option<&'a str>,
}

/// What an answer to a download's GET means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// Read its body: drop its first `skip` bytes (storage ignored the `Range` and sent from the
    /// start), and keep `etag` and `total` for the next resume.
    Read {
        /// Bytes of the body already received before.
        skip: u64,
        /// The file's ETag from now on.
        etag: Option<String>,
        /// The file's length from now on, when known.
        total: Option<u64>,
    },
    /// 416 with every byte already received: the download is complete.
    Finished,
    /// An answer the SDK cannot use (another range, a changed file): never retried.
    Invalid(&'static str),
    /// An error status: see [`storage_error`] and [`decide`].
    Status(u16),
}

/// `bytes START-END/TOTAL` (`*` for an unknown total): the start and the total.
fn content_range(value: &str) -> Option<(u64, Option<u64>)> {
    let (range, total) = value.strip_prefix("bytes ")?.split_once('/')?;
    let (start, end) = range.split_once('-')?;
    let digits = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    digits(end)?;
    let total = if total == "*" {
        None
    } else {
        Some(digits(total)?)
    };
    Some((digits(start)?, total))
}

const CHANGED: &str = "the archive file changed during the download";

/// What storage's answer to one GET of a download means, given what the download knows. A 206
/// must continue exactly where the download stopped, of the same file (ETag, length); a 200 is
/// the whole file (first, or storage ignored the `Range`), the received part then skipped; a 416
/// after every byte arrived is the end; anything else is an error status.
pub fn open_answer(p: &Progress<'_>, a: &Answer<'_>) -> Opened {
    let length = a
        .content_length
        .filter(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|l| l.parse::<u64>().ok());
    match a.status {
        206 if p.bytes > 0 => {
            let Some((start, total)) = a.content_range.and_then(content_range) else {
                return Opened::Invalid("object storage sent another range than asked");
            };
            if start != p.bytes {
                return Opened::Invalid("object storage sent another range than asked");
            }
            let other_etag = matches!((p.etag, a.etag), (Some(k), Some(e)) if k != e);
            let other_total = matches!((p.total, total), (Some(k), Some(t)) if k != t);
            if other_etag || other_total {
                return Opened::Invalid(CHANGED);
            }
            Opened::Read {
                skip: 0,
                etag: p.etag.map(str::to_owned),
                total: p.total.or(total),
            }
        }
        200 => {
            let other_etag = p.etag.is_some() && a.etag != p.etag;
            let other_total = matches!((p.total, length), (Some(k), Some(l)) if k != l);
            if p.bytes > 0 && (other_etag || other_total) {
                return Opened::Invalid(CHANGED);
            }
            Opened::Read {
                skip: p.bytes,
                etag: p.etag.or(a.etag).map(str::to_owned),
                total: p.total.or(length),
            }
        }
        416 if p.complete() => Opened::Finished,
        status => Opened::Status(status),
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
    #[test]
    fn reads_of_a_download_body() {
        let at = |bytes, total| Progress {
            bytes,
            etag: None,
            total,
        };
        // Chunks: the part received before is dropped; nothing may pass the file's length.
        assert_eq!(
            receive(&at(0, Some(10)), 0, Some(4)),
            Received::Keep { drop: 0 }
        );
        assert_eq!(
            receive(&at(4, Some(10)), 6, Some(4)),
            Received::Keep { drop: 4 }
        );
        assert_eq!(
            receive(&at(4, Some(10)), 2, Some(8)),
            Received::Keep { drop: 2 }
        );
        assert_eq!(
            receive(&at(4, Some(10)), 0, Some(6)),
            Received::Keep { drop: 0 }
        );
        assert!(
            matches!(receive(&at(4, Some(10)), 0, Some(7)), Received::Invalid(m) if m.contains("more than"))
        );
        assert!(
            matches!(receive(&at(4, Some(10)), 1, Some(8)), Received::Invalid(m) if m.contains("more than"))
        );
        assert_eq!(
            receive(&at(4, None), 0, Some(1 << 20)),
            Received::Keep { drop: 0 }
        );
        // Ends: complete, unknown length, short (resume), before the received part was skipped.
        assert_eq!(receive(&at(10, Some(10)), 0, None), Received::End);
        assert_eq!(receive(&at(3, None), 0, None), Received::End);
        assert_eq!(
            receive(&at(4, Some(10)), 0, None),
            Received::Broken("connection closed at 4 of 10 bytes".into())
        );
        assert!(
            matches!(receive(&at(10, Some(10)), 2, None), Received::Invalid(m) if m.contains("less than"))
        );
        assert!(at(10, Some(10)).complete() && at(11, Some(10)).complete());
        assert!(!at(9, Some(10)).complete() && !at(9, None).complete());
    }

    #[test]
    fn answers_to_a_download_get() {
        let fresh = Progress::default();
        let a = |status, content_range, etag, content_length| Answer {
            status,
            content_range,
            etag,
            content_length,
        };
        assert_eq!(
            open_answer(&fresh, &a(200, None, Some("\"a\""), Some("10"))),
            Opened::Read {
                skip: 0,
                etag: Some("\"a\"".into()),
                total: Some(10)
            }
        );
        assert_eq!(
            open_answer(&fresh, &a(200, None, None, Some("1e3"))),
            Opened::Read {
                skip: 0,
                etag: None,
                total: None
            }
        );
        // 206 without a resume, and error statuses, are statuses.
        assert_eq!(
            open_answer(&fresh, &a(206, Some("bytes 0-9/10"), None, None)),
            Opened::Status(206)
        );
        assert_eq!(
            open_answer(&fresh, &a(413, None, None, None)),
            Opened::Status(413)
        );
        let resumed = Progress {
            bytes: 5,
            etag: Some("\"a\""),
            total: Some(10),
        };
        assert_eq!(
            open_answer(
                &resumed,
                &a(206, Some("bytes 5-9/10"), Some("\"a\""), Some("5"))
            ),
            Opened::Read {
                skip: 0,
                etag: Some("\"a\"".into()),
                total: Some(10)
            }
        );
        assert_eq!(
            open_answer(&resumed, &a(206, Some("bytes 5-9/*"), None, None)),
            Opened::Read {
                skip: 0,
                etag: Some("\"a\"".into()),
                total: Some(10)
            }
        );
        for bad in [
            None,
            Some("bytes 4-9/10"),
            Some("bytes 5-9"),
            Some("bytes x-9/10"),
            Some("items 5-9/10"),
        ] {
            assert_eq!(
                open_answer(&resumed, &a(206, bad, None, None)),
                Opened::Invalid("object storage sent another range than asked"),
                "{bad:?}"
            );
        }
        assert_eq!(
            open_answer(&resumed, &a(206, Some("bytes 5-9/10"), Some("\"b\""), None)),
            Opened::Invalid(CHANGED)
        );
        assert_eq!(
            open_answer(&resumed, &a(206, Some("bytes 5-9/11"), None, None)),
            Opened::Invalid(CHANGED)
        );
        // A 200 after a break: the whole file again, the received part skipped, if it is the same.
        assert_eq!(
            open_answer(&resumed, &a(200, None, Some("\"a\""), Some("10"))),
            Opened::Read {
                skip: 5,
                etag: Some("\"a\"".into()),
                total: Some(10)
            }
        );
        assert_eq!(
            open_answer(&resumed, &a(200, None, None, Some("10"))),
            Opened::Invalid(CHANGED)
        );
        assert_eq!(
            open_answer(&resumed, &a(200, None, Some("\"a\""), Some("11"))),
            Opened::Invalid(CHANGED)
        );
        // 416: the end when every byte had arrived, else an error status.
        let done = Progress {
            bytes: 10,
            ..resumed
        };
        assert_eq!(
            open_answer(&done, &a(416, None, None, None)),
            Opened::Finished
        );
        assert_eq!(
            open_answer(&resumed, &a(416, None, None, None)),
            Opened::Status(416)
        );
        assert_eq!(
            open_answer(
                &Progress {
                    total: None,
                    ..done
                },
                &a(416, None, None, None)
            ),
            Opened::Status(416)
        );
    }

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
