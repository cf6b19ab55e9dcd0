//! The claim state machine: what to do next with one archive, so that it is never lost.
//!
//! Claiming (MiFID II) is: read the record, download the file, check its SHA-256 against the
//! record's `sha256CheckSum`, store it durably, and only then abandon it (which starts its
//! expiry). This module decides every step and does none of them: the host (the JavaScript
//! `ArchiveClaimer`) reads the record, downloads, stores and calls the API, then reports what
//! happened as a [`ClaimEvent`]; [`step`] answers with the next [`ClaimStatus`] to persist and the
//! next [`ClaimAction`] to perform. The time is passed in.
//!
//! States: `seen` -> `downloading` -> `verified` -> `stored` -> `abandoned`; or `failed` (the
//! archive's own `FAILED` status, or `EXPIRED` before a copy was stored) and `quarantined` (the
//! file never matched its checksum, the record has none, or the sink holds a different file under
//! its name). The rules that matter for compliance:
//!
//! - [`ClaimAction::Abandon`] is only ever answered in state `stored`, and `stored` is only
//!   reached from `verified` (the downloaded bytes matched the checksum) by the sink's commit.
//! - A checksum mismatch downloads again, at most [`ClaimPolicy::max_mismatches`] downloads in
//!   all, then quarantines. A quarantined archive is never abandoned.
//! - An archive the platform already shows as `ABANDONED` is never abandoned a second time.
//! - Every step holds a lease ([`ClaimPolicy::lease_ms`]); a host whose lease ran out stops, so a
//!   worker that died loses its archives to another after at most one lease.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::checksum::{parse_hex_digest, verify_digest};
use super::ArchiveStatus;
use crate::api::archives::check_archive_id;
use crate::error::ArchiveError;

/// Where one archive stands in its claim (persisted in the ledger as its `state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub enum ClaimState {
    /// Known (from a webhook, a sweep or a call), nothing done yet, or a step is to be retried.
    Seen,
    /// A download has started (a crash here leaves no stored copy: download again).
    Downloading,
    /// The downloaded bytes matched `sha256CheckSum`; the sink is committing them.
    Verified,
    /// The sink holds the file durably; the archive may be abandoned.
    Stored,
    /// Abandoned on the platform after it was stored (done).
    Abandoned,
    /// The archive FAILED on the platform, or expired before a copy was stored (done; see `error`).
    Failed,
    /// Never matched its checksum (or has none, or the sink holds a different file): a person
    /// must look (done; never abandoned).
    Quarantined,
}

impl ClaimState {
    /// Whether nothing more will happen to the archive: `abandoned`, `failed` or `quarantined`.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Abandoned | Self::Failed | Self::Quarantined)
    }

    /// The state as the ledger spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Seen => "seen",
            Self::Downloading => "downloading",
            Self::Verified => "verified",
            Self::Stored {} => "stored",
            Self::Abandoned => "abandoned",
            Self::Failed => "failed",
            Self::Quarantined => "quarantined",
        }
    }
}

/// The bounds and timings of claiming. Every field is optional from JavaScript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ClaimPolicy {
    /// Downloads whose SHA-256 did not match before the archive is quarantined (default 3).
    pub max_mismatches: u32,
    /// Failed attempts of one step in a row (network, 5xx, 429, sink errors) before the archive
    /// is released for a later sweep (default 5).
    pub max_failures: u32,
    /// How long a lease lasts, in milliseconds (default 60000).
    pub lease_ms: u64,
    /// The first retry delay, in milliseconds; it doubles per failure (default 200).
    pub base_delay_ms: u64,
    /// The longest retry delay, in milliseconds (default 10000).
    pub max_delay_ms: u64,
}

impl Default for ClaimPolicy {
    fn default() -> Self {
        Self {
            max_mismatches: 3,
            max_failures: 5,
            lease_ms: 60_000,
            base_delay_ms: 200,
            max_delay_ms: 10_000,
        }
    }
}

impl ClaimPolicy {
    /// Checks the bounds.
    ///
    /// # Errors
    /// [`ClaimError::InvalidPolicy`] for zero bounds, a lease under 1 s or over a day, or delays
    /// out of order.
    pub fn check(&self) -> Result<(), ClaimError> {
        let bad = |why: &'static str| Err(ClaimError::InvalidPolicy(why));
        if self.max_mismatches == 0 || self.max_mismatches > 100 {
            return bad("maxMismatches must be from 1 to 100");
        }
        if self.max_failures == 0 || self.max_failures > 100 {
            return bad("maxFailures must be from 1 to 100");
        }
        if !(1_000..=86_400_000).contains(&self.lease_ms) {
            return bad("leaseMs must be from 1000 to 86400000");
        }
        if self.base_delay_ms > self.max_delay_ms || self.max_delay_ms > 3_600_000 {
            return bad("baseDelayMs must not exceed maxDelayMs, which must not exceed 3600000");
        }
        Ok(())
    }

    /// The delay before retrying after `failures` failures in a row (1 or more).
    pub fn delay_ms(&self, failures: u32) -> u64 {
        let doublings = failures.saturating_sub(1).min(30);
        self.base_delay_ms
            .saturating_mul(1u64 << doublings)
            .min(self.max_delay_ms)
    }

    /// How often a host renews its lease during a long step (a third of the lease).
    pub fn renew_every_ms(&self) -> u64 {
        self.lease_ms / 3
    }
}

/// The persisted part of a claim that decisions depend on (the ledger row holds it, plus the
/// receipt, the owner and the timestamps).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ClaimStatus {
    /// The state.
    pub state: ClaimState,
    /// The record's `sha256CheckSum` (lowercase hex), once read.
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub sha256_check_sum: Option<String>,
    /// Downloads started, in all.
    #[serde(default)]
    pub attempts: u32,
    /// Downloads whose SHA-256 did not match.
    #[serde(default)]
    pub mismatches: u32,
    /// Failed attempts of the current step in a row.
    #[serde(default)]
    pub failures: u32,
    /// Whether the platform showed the archive as `ABANDONED` (or `EXPIRED`) at the last read.
    #[serde(default)]
    pub remote_abandoned: bool,
    /// Why the archive failed, was quarantined or was last released; `None` once a step succeeds.
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub error: Option<String>,
}

impl ClaimStatus {
    /// A claim that has seen nothing yet.
    pub fn new() -> Self {
        Self {
            state: ClaimState::Seen,
            sha256_check_sum: None,
            attempts: 0,
            mismatches: 0,
            failures: 0,
            remote_abandoned: false,
            error: None,
        }
    }
}

impl Default for ClaimStatus {
    fn default() -> Self {
        Self::new()
    }
}

/// An error as the host saw it: the SDK's `name`, `code` and HTTP `status`, or a sink's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct StepError {
    /// The error's `name` (`ApiError`, `NetworkError`, `SinkError`, `Error`, ...).
    pub name: String,
    /// The error's `code`, when it has one.
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub code: Option<String>,
    /// The HTTP status, for an `ApiError`.
    #[serde(default)]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub status: Option<u16>,
    /// The error's message (kept in the ledger's `error`).
    #[serde(default)]
    pub message: String,
}

impl StepError {
    fn is_transient(&self) -> bool {
        match self.name.as_str() {
            "NetworkError" => true,
            "ApiError" => match self.status {
                Some(s) => s == 408 || s == 429 || s >= 500,
                None => false,
            },
            // The SDK's own refusals and validation errors do not go away by retrying.
            "ValidationError" | "ConfigError" | "ArchiveError" | "WebhookError" => false,
            // Anything else (a sink's I/O error, a stream's error) may pass.
            _ => self.code.as_deref() != Some(SINK_CONFLICT),
        }
    }

    fn describe(&self) -> String {
        match (&self.code, self.status) {
            (Some(c), Some(s)) => format!("{} {c} ({s}): {}", self.name, self.message),
            (Some(c), None) => format!("{} {c}: {}", self.name, self.message),
            _ => format!("{}: {}", self.name, self.message),
        }
    }
}

/// The code a sink's `commit` throws when a different file already has the archive's name.
pub const SINK_CONFLICT: &str = "SINK_CONFLICT";

/// What happened, as the host reports it: an object with one key, the event's name, holding
/// its fields (`{ record: { status: "AVAILABLE" } }`, `{ stored: {} }`). Externally tagged, not
/// `{ type: "record", ... }`: serde reads an internally tagged enum through its `Content`
/// buffer, which cost the Node wasm 6.6 KB gzip (measured 2026-11-29, bench/README.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub enum ClaimEvent {
    /// The record, read again through the API (never a webhook's payload).
    Record {
        /// The record's `status`.
        status: String,
        /// The record's `sha256CheckSum`, when it has one.
        #[serde(default)]
        #[cfg_attr(target_arch = "wasm32", tsify(optional))]
        sha256_check_sum: Option<String>,
        /// The record's `error` (for `FAILED`).
        #[serde(default)]
        #[cfg_attr(target_arch = "wasm32", tsify(optional))]
        error: Option<String>,
    },
    /// Reading the record failed.
    RecordFailed {
        /// The error.
        error: StepError,
    },
    /// The whole file was downloaded and written to the sink's writer; `sha256` is its digest.
    Downloaded {
        /// The SHA-256 of the bytes, hex.
        sha256: String,
        /// How many bytes.
        bytes: u64,
    },
    /// The download (or writing it to the sink) failed before the end.
    DownloadFailed {
        /// The error.
        error: StepError,
    },
    /// The sink's `commit` resolved: the file is durably stored.
    Stored {},
    /// The sink's `commit` failed.
    StoreFailed {
        /// The error.
        error: StepError,
    },
    /// The abandon call succeeded.
    Abandoned {},
    /// The abandon call failed.
    AbandonFailed {
        /// The error.
        error: StepError,
    },
}

impl ClaimEvent {
    fn name(&self) -> &'static str {
        match self {
            Self::Record { .. } => "record",
            Self::RecordFailed { .. } => "recordFailed",
            Self::Downloaded { .. } => "downloaded",
            Self::DownloadFailed { .. } => "downloadFailed",
            Self::Stored {} => "stored",
            Self::StoreFailed { .. } => "storeFailed",
            Self::Abandoned {} => "abandoned",
            Self::AbandonFailed { .. } => "abandonFailed",
        }
    }
}

/// What the host does next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub enum ClaimAction {
    /// Read the record through the API (after `delayMs`), and report [`ClaimEvent::Record`].
    Refresh {
        /// Wait this long first.
        delay_ms: u64,
    },
    /// Discard any open writer, wait `delayMs`, then download the file into a new writer of the
    /// sink, hashing it, and report [`ClaimEvent::Downloaded`].
    Download {
        /// Wait this long first.
        delay_ms: u64,
    },
    /// Commit the writer (its bytes matched), and report [`ClaimEvent::Stored {}`].
    Store,
    /// Wait `delayMs`, then abandon the archive through the API (by its conference id), and
    /// report [`ClaimEvent::Abandoned {}`].
    Abandon {
        /// Wait this long first.
        delay_ms: u64,
    },
    /// Stop for now and release the lease: the archive is not ready, or a step kept failing; a
    /// later sweep tries again. Discard any open writer.
    Release {
        /// Why.
        reason: String,
    },
    /// Nothing more to do: the state is final. Discard any open writer.
    Done,
}

/// What [`step`] answers: the status to persist (before acting) and the action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ClaimStep {
    /// The new status.
    pub status: ClaimStatus,
    /// The next action.
    pub action: ClaimAction,
    /// Until when (Unix ms) the lease is held, when the action continues the claim; `None` when
    /// the lease is to be released.
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub lease_until: Option<f64>,
}

/// A refusal of the claim machine.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ClaimError {
    /// The event cannot happen in this state (a host bug): nothing changes.
    #[error("event {event} cannot happen in state {state}")]
    UnexpectedEvent {
        /// The event's name (`record`, `stored`, ...).
        event: &'static str,
        /// The state.
        state: &'static str,
    },
    /// The lease ran out before this step: another worker may hold the archive now.
    #[error("the lease expired at {lease_until} (now {now})")]
    LeaseExpired {
        /// When it ran out (Unix ms).
        lease_until: f64,
        /// The time given (Unix ms).
        now: f64,
    },
    /// A policy bound is out of range.
    #[error("invalid claim policy: {0}")]
    InvalidPolicy(&'static str),
    /// A checksum or time given is malformed.
    #[error("invalid claim input: {0}")]
    InvalidInput(String),
}

impl ClaimError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnexpectedEvent { .. } => "UNEXPECTED_EVENT",
            Self::LeaseExpired { .. } => "LEASE_EXPIRED",
            Self::InvalidPolicy(_) => "INVALID_POLICY",
            Self::InvalidInput(_) => "INVALID_INPUT",
        }
    }
}

/// Whether a worker may take the lease of an archive now: nobody holds it, it ran out, or
/// `me` holds it already. Final archives are never taken.
pub fn may_take(
    state: ClaimState,
    owner: Option<&str>,
    lease_until: Option<f64>,
    me: &str,
    now_ms: f64,
) -> bool {
    if state.is_final() {
        return false;
    }
    match (owner, lease_until) {
        (None, _) | (_, None) => true,
        (Some(o), Some(until)) => o == me || until <= now_ms,
    }
}

/// How many times a ledger's statement is sent in all while the database's connections turn out
/// ended by the server: more than a ledger's own pool (4), so that a server that ended every
/// pooled connection at once (a restart, `pg_terminate_backend`) meets a fresh one in the end.
pub const LEDGER_STATEMENT_ATTEMPTS: u32 = 6;

/// SQLSTATE codes of a connection the server ended or lost: admin shutdown, crash shutdown,
/// cannot connect now, and the connection exception class (08000, 08003, 08006).
const DROPPED_CONNECTION_CODES: [&str; 6] = ["57P01", "57P02", "57P03", "08000", "08003", "08006"];

/// Whether a ledger sends a statement again after attempt `attempt` (1-based) failed with
/// `code` / `message`: only when the connection was ended under it (the SQLSTATE codes above,
/// or the driver's own "Connection terminated" for a socket that closed without one), and only
/// up to [`LEDGER_STATEMENT_ATTEMPTS`]. Every ledger statement is one atomic statement, safe to
/// send again (leases and saves are conditional on their owner, a seen-store claim on its
/// claimant); anything else (a constraint, a syntax error, a full disk) is not retried.
pub fn retry_ledger_statement(code: Option<&str>, message: &str, attempt: u32) -> bool {
    if attempt >= LEDGER_STATEMENT_ATTEMPTS {
        return false;
    }
    let dropped_code = code.is_some_and(|c| DROPPED_CONNECTION_CODES.contains(&c));
    let lower = message.to_ascii_lowercase();
    dropped_code
        || lower.contains("connection terminated")
        || lower.contains("terminating connection")
}

/// The file name of an archive in a sink: `{conferenceId}--{archiveId}.zip`, from ids checked
/// like the API's path ids (no `/`, `\`, `%`, `..`, white space or control characters), so it
/// never leaves the sink's folder.
///
/// # Errors
/// [`ClaimError::InvalidInput`] for an id that could not be a path segment.
pub fn file_name(conference_id: &str, archive_id: &str) -> Result<String, ClaimError> {
    check_archive_id("conferenceId", conference_id)
        .and_then(|()| check_archive_id("archiveId", archive_id))
        .map_err(|e| ClaimError::InvalidInput(e.to_string()))?;
    if conference_id.starts_with('.') || conference_id.contains("--") {
        return Err(ClaimError::InvalidInput(
            "conferenceId must not start with . or contain --".into(),
        ));
    }
    Ok(format!("{conference_id}--{archive_id}.zip"))
}

fn checked_now(now_ms: f64) -> Result<f64, ClaimError> {
    if now_ms.is_finite() && now_ms >= 0.0 {
        Ok(now_ms)
    } else {
        Err(ClaimError::InvalidInput(
            "nowMs must be a non-negative number".into(),
        ))
    }
}

/// Decides the next step of a claim.
///
/// `lease_until` is the lease the host holds now (`None`: it has just been taken); a step with a
/// lease that ran out is refused. The answer's `lease_until` is the renewed lease to persist with
/// the status, before acting.
///
/// # Errors
/// [`ClaimError::UnexpectedEvent`] for an event that cannot happen in the current state,
/// [`ClaimError::LeaseExpired`], [`ClaimError::InvalidPolicy`], [`ClaimError::InvalidInput`].
pub fn step(
    policy: &ClaimPolicy,
    status: &ClaimStatus,
    event: &ClaimEvent,
    now_ms: f64,
    lease_until: Option<f64>,
) -> Result<ClaimStep, ClaimError> {
    policy.check()?;
    let now = checked_now(now_ms)?;
    if let Some(until) = lease_until {
        if until <= now {
            return Err(ClaimError::LeaseExpired {
                lease_until: until,
                now,
            });
        }
    }
    let (status, action) = decide(policy, status.clone(), event)?;
    let lease_until = match action {
        ClaimAction::Release { .. } | ClaimAction::Done => None,
        _ => Some(now + policy.lease_ms as f64),
    };
    Ok(ClaimStep {
        status,
        action,
        lease_until,
    })
}

fn unexpected(event: &ClaimEvent, s: &ClaimStatus) -> ClaimError {
    ClaimError::UnexpectedEvent {
        event: event.name(),
        state: s.state.as_str(),
    }
}

fn finish(
    mut s: ClaimStatus,
    state: ClaimState,
    error: Option<String>,
) -> (ClaimStatus, ClaimAction) {
    s.state = state;
    s.failures = 0;
    if error.is_some() {
        s.error = error;
    }
    (s, ClaimAction::Done)
}

/// A download for the next attempt (counts it).
fn download(mut s: ClaimStatus, delay_ms: u64) -> (ClaimStatus, ClaimAction) {
    s.state = ClaimState::Downloading;
    s.attempts = s.attempts.saturating_add(1);
    (s, ClaimAction::Download { delay_ms })
}

/// After a failed attempt of a step: retry it (with `retry`), or release once the failures in a
/// row reach the bound. `state_after` is the state to persist.
fn failed_attempt(
    policy: &ClaimPolicy,
    mut s: ClaimStatus,
    error: &StepError,
    state_after: ClaimState,
    retry: impl FnOnce(ClaimStatus, u64) -> (ClaimStatus, ClaimAction),
) -> (ClaimStatus, ClaimAction) {
    s.failures = s.failures.saturating_add(1);
    s.error = Some(error.describe());
    if !error.is_transient() || s.failures >= policy.max_failures {
        let reason = format!(
            "released after {} failed attempt(s): {}",
            s.failures,
            error.describe()
        );
        s.state = state_after;
        s.failures = 0;
        return (s, ClaimAction::Release { reason });
    }
    let delay = policy.delay_ms(s.failures);
    s.state = state_after;
    retry(s, delay)
}

fn decide(
    policy: &ClaimPolicy,
    s: ClaimStatus,
    event: &ClaimEvent,
) -> Result<(ClaimStatus, ClaimAction), ClaimError> {
    use ClaimState::*;
    if s.state.is_final() {
        // Whatever arrives later (a duplicate event, a late answer), a final claim stays final.
        return Ok((s, ClaimAction::Done));
    }
    Ok(match event {
        ClaimEvent::Record {
            status,
            sha256_check_sum,
            error,
        } => on_record(policy, s, status, sha256_check_sum.as_deref(), error)?,
        ClaimEvent::RecordFailed { error } => {
            if error.status == Some(404) {
                finish(
                    s,
                    Failed,
                    Some(format!("no such archive: {}", error.describe())),
                )
            } else {
                let back = s.state;
                failed_attempt(policy, s, error, back, |s, delay_ms| {
                    (s, ClaimAction::Refresh { delay_ms })
                })
            }
        }
        ClaimEvent::Downloaded { sha256, .. } => {
            if s.state != Downloading {
                return Err(unexpected(event, &s));
            }
            let expected = s
                .sha256_check_sum
                .clone()
                .ok_or_else(|| unexpected(event, &s))?;
            let actual = parse_hex_digest(sha256)
                .map_err(|e| ClaimError::InvalidInput(format!("downloaded sha256: {e}")))?;
            match verify_digest(&actual, &expected) {
                Ok(()) => {
                    let mut s = s;
                    s.state = Verified;
                    s.failures = 0;
                    s.error = None;
                    (s, ClaimAction::Store)
                }
                Err(ArchiveError::ChecksumMismatch { expected, actual }) => {
                    let mut s = s;
                    s.mismatches = s.mismatches.saturating_add(1);
                    let why = format!(
                        "sha256 mismatch on download {}: expected {expected}, got {actual}",
                        s.attempts
                    );
                    if s.mismatches >= policy.max_mismatches {
                        finish(
                            s,
                            Quarantined,
                            Some(format!(
                                "quarantined after {} mismatching downloads; last: {why}",
                                policy.max_mismatches
                            )),
                        )
                    } else {
                        s.error = Some(why);
                        let delay = policy.delay_ms(s.mismatches);
                        download(s, delay)
                    }
                }
                Err(e) => return Err(ClaimError::InvalidInput(e.to_string())),
            }
        }
        ClaimEvent::DownloadFailed { error } => {
            if s.state != Downloading {
                return Err(unexpected(event, &s));
            }
            match error.status {
                // No file (any more): the record says why.
                Some(404 | 409 | 410) if error.name == "ApiError" => {
                    let mut s = s;
                    s.state = Seen;
                    s.error = Some(error.describe());
                    (s, ClaimAction::Refresh { delay_ms: 0 })
                }
                _ => failed_attempt(policy, s, error, Seen, |mut s, delay| {
                    // The attempt is counted again: a failed download is still a download.
                    s.state = Seen;
                    download(s, delay)
                }),
            }
        }
        ClaimEvent::Stored {} => {
            if s.state != Verified {
                return Err(unexpected(event, &s));
            }
            let mut s = s;
            s.state = Stored;
            s.failures = 0;
            s.error = None;
            if s.remote_abandoned {
                // Abandoned before (by a worker that died before writing it down): never twice.
                finish(s, Abandoned, None)
            } else {
                (s, ClaimAction::Abandon { delay_ms: 0 })
            }
        }
        ClaimEvent::StoreFailed { error } => {
            if s.state != Verified {
                return Err(unexpected(event, &s));
            }
            if error.code.as_deref() == Some(SINK_CONFLICT) {
                finish(
                    s,
                    Quarantined,
                    Some(format!(
                        "the sink holds a different file under this archive's name: {}",
                        error.describe()
                    )),
                )
            } else {
                // The writer's bytes are gone with it: download again.
                failed_attempt(policy, s, error, Seen, download)
            }
        }
        ClaimEvent::Abandoned {} => {
            if s.state != Stored {
                return Err(unexpected(event, &s));
            }
            let mut s = s;
            s.remote_abandoned = true;
            finish(s, Abandoned, None)
        }
        ClaimEvent::AbandonFailed { error } => {
            if s.state != Stored {
                return Err(unexpected(event, &s));
            }
            // The call may have gone through before it failed: read the record before any
            // second call, so that an archive is abandoned once.
            failed_attempt(policy, s, error, Stored, |s, delay_ms| {
                (s, ClaimAction::Refresh { delay_ms })
            })
        }
    })
}

fn on_record(
    policy: &ClaimPolicy,
    mut s: ClaimStatus,
    status: &str,
    sha256: Option<&str>,
    error: &Option<String>,
) -> Result<(ClaimStatus, ClaimAction), ClaimError> {
    use ClaimState::*;
    let status = ArchiveStatus::parse(status);
    s.failures = 0;
    s.remote_abandoned = matches!(status, ArchiveStatus::Abandoned | ArchiveStatus::Expired);
    if let Some(sum) = sha256 {
        let sum = sum.to_ascii_lowercase();
        if parse_hex_digest(&sum).is_err() {
            return Ok(finish(
                s,
                Quarantined,
                Some("the record's sha256CheckSum is not 64 hex characters".into()),
            ));
        }
        if s.state != Seen && s.sha256_check_sum.as_deref().is_some_and(|old| old != sum) {
            // The record changed its checksum under us: a person must look.
            let why = format!(
                "the record's sha256CheckSum changed from {} to {sum}",
                s.sha256_check_sum.as_deref().unwrap_or_default()
            );
            return Ok(finish(s, Quarantined, Some(why)));
        }
        s.sha256_check_sum = Some(sum);
    }
    Ok(match status {
        ArchiveStatus::Failed => finish(
            s,
            Failed,
            Some(format!(
                "the archive FAILED: {}",
                error.as_deref().unwrap_or("no error given")
            )),
        ),
        ArchiveStatus::Expired if s.state == Stored => finish(s, Abandoned, None),
        ArchiveStatus::Expired => finish(
            s,
            Failed,
            Some("the archive EXPIRED before a verified copy was stored".into()),
        ),
        ArchiveStatus::Abandoned if s.state == Stored => finish(s, Abandoned, None),
        ArchiveStatus::Available | ArchiveStatus::Abandoned => {
            if s.sha256_check_sum.is_none() {
                return Ok(finish(
                    s,
                    Quarantined,
                    Some("the record has no sha256CheckSum to verify against".into()),
                ));
            }
            if s.state == Stored {
                (s, ClaimAction::Abandon { delay_ms: 0 })
            } else if s.mismatches >= policy.max_mismatches {
                finish(s, Quarantined, None)
            } else {
                // seen, downloading or verified (a crash lost the writer): download (again).
                download(s, 0)
            }
        }
        pending => {
            let reason = format!("the archive is {pending}: not downloadable yet");
            (s, ClaimAction::Release { reason })
        }
    })
}

#[cfg(test)]
mod tests;
