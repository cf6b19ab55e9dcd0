//! The simulator's state: one lock, never held across an await.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use serde::Serialize;

use crate::archives::ArchiveState;
use crate::storage::StorageState;
use crate::webhooks::{self, WebhookState};

/// Start-up options.
#[derive(Debug, Clone, Default)]
pub struct SimConfig {
    /// Seed for ids and keys (random when `None`).
    pub seed: Option<u64>,
    /// Permit `http://127.0.0.1:PORT` and `http://localhost:PORT` callback URLs (for local webhook
    /// delivery; the simulator does not speak TLS).
    pub allow_http_loopback: bool,
    /// Other names for the meeting reply's link fields: the moderator's link, the array of
    /// participants' links, and the link inside each element (default `moderator_link`,
    /// `participant_links`, `link`), as a tenant whose contract differs would send them.
    pub meeting_link_fields: Option<[String; 3]>,
    /// Serve the tenant variant of the contract: webhook registration at
    /// [`crate::VARIANT_WEBHOOK_PATH`] (another public version of the guide), in the spec and
    /// in the routes, and no longer at the contract's path.
    pub spec_variant: bool,
}

/// The state shared by every handler.
pub type Shared = Arc<Sim>;

/// A user account.
#[derive(Debug, Clone, Serialize)]
pub struct UserRec {
    pub id: String,
    pub email: String,
    pub role: String,
    #[serde(rename = "firstName", skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(rename = "lastName", skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(rename = "emailConfirmed")]
    pub email_confirmed: bool,
    #[serde(rename = "createdAt")]
    pub created_at: String,
    /// Fields the creator sent beyond the known ones, echoed back.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// An API key the simulator issued (from `/_sim/api-keys` or the token API). Its value is never
/// stored: the key is a JWT whose `jti` is the map key of this record.
#[derive(Debug, Clone)]
pub struct KeyRec {
    pub user_id: String,
    pub role: String,
    /// The label (`sim key` for keys from `/_sim/api-keys`).
    pub name: String,
    /// Issue order, for listing oldest first.
    pub seq: u64,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

/// One invited participant of a meeting, as given (every field optional).
#[derive(Debug, Clone, Default)]
pub struct ParticipantRec {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    /// Fields beyond the known ones, echoed back next to the participant's link.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A reserved meeting. Its join links are derived from its id (see `meetings.rs`), not stored.
#[derive(Debug, Clone)]
pub struct MeetingRec {
    pub id: String,
    pub expert_id: String,
    pub subject: Option<String>,
    pub not_before: i64,
    pub valid_until: i64,
    pub participants: Vec<ParticipantRec>,
    pub created_at: i64,
    /// Fields the creator sent beyond the known ones, echoed back.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The tenant's recording and archiving switches.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Settings {
    #[serde(rename = "enableAutomaticRecording")]
    pub automatic_recording: bool,
    #[serde(rename = "enableRecordingVerbalConsent")]
    pub recording_verbal_consent: bool,
    #[serde(rename = "enableAutomaticArchivingOfConferences")]
    pub automatic_archiving: bool,
}

/// An injected fault: the next `count` requests to `path` (and `method`, when given).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    pub id: u64,
    pub path: String,
    pub method: Option<String>,
    pub status: Option<u16>,
    pub retry_after_seconds: Option<u64>,
    pub delay_ms: u64,
    pub count: u32,
}

/// One request as the simulator saw it (never the key's value).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestLog {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub has_api_key: bool,
    pub status: u16,
    pub at: i64,
}

/// An e-mail the platform would have sent.
#[derive(Debug, Clone, Serialize)]
pub struct Mail {
    pub to: String,
    pub kind: String,
}

/// Everything behind the lock.
pub struct Inner {
    pub rng: StdRng,
    pub clock_offset_secs: i64,
    pub users: BTreeMap<String, UserRec>,
    pub users_by_email: HashMap<String, String>,
    pub keys: HashMap<String, KeyRec>,
    pub meetings: HashMap<String, MeetingRec>,
    pub settings: Settings,
    pub faults: Vec<Fault>,
    pub requests: VecDeque<RequestLog>,
    pub mails: Vec<Mail>,
    pub next_id: u64,
    /// Webhook subscriptions, their reports and the delivery counters.
    pub webhooks: WebhookState,
    /// Archive records.
    pub archives: ArchiveState,
    /// The storage origin's request log and faults.
    pub storage: StorageState,
}

/// The simulator.
pub struct Sim {
    pub config: SimConfig,
    pub secret: [u8; 32],
    /// The HTTP client of webhook deliveries, or why it could not be built.
    pub webhook_http: Result<reqwest::Client, String>,
    /// Where the storage origin listens (set once by `serve`).
    pub storage_addr: OnceLock<SocketAddr>,
    /// Whether the archive lifecycle task runs.
    pub ticker_started: AtomicBool,
    inner: Mutex<Inner>,
}

const MAX_LOG: usize = 2000;

impl Sim {
    pub fn new(config: SimConfig) -> Self {
        let mut rng = match config.seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => StdRng::from_entropy(),
        };
        let mut secret = [0u8; 32];
        rng.fill_bytes(&mut secret);
        Self {
            config,
            secret,
            webhook_http: webhooks::http_client(),
            storage_addr: OnceLock::new(),
            ticker_started: AtomicBool::new(false),
            inner: Mutex::new(Inner {
                rng,
                clock_offset_secs: 0,
                users: BTreeMap::new(),
                users_by_email: HashMap::new(),
                keys: HashMap::new(),
                meetings: HashMap::new(),
                settings: Settings::default(),
                faults: Vec::new(),
                requests: VecDeque::new(),
                mails: Vec::new(),
                next_id: 1,
                webhooks: WebhookState::default(),
                archives: ArchiveState::default(),
                storage: StorageState::default(),
            }),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The simulator clock, Unix seconds: real time plus the advanced offset.
    pub fn now_secs(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        real + self.lock().clock_offset_secs
    }

    /// The simulator clock in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        real + self.lock().clock_offset_secs * 1000
    }

    pub fn take_fault(&self, method: &str, path: &str) -> Option<Fault> {
        let mut g = self.lock();
        let i = g.faults.iter().position(|f| {
            f.path == path
                && f.method
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(method))
        })?;
        let f = &mut g.faults[i];
        f.count -= 1;
        let out = f.clone();
        if f.count == 0 {
            g.faults.remove(i);
        }
        Some(out)
    }

    pub fn log_request(&self, entry: RequestLog) {
        let mut g = self.lock();
        if g.requests.len() >= MAX_LOG {
            g.requests.pop_front();
        }
        g.requests.push_back(entry);
    }

    pub fn reset(&self) {
        let mut g = self.lock();
        g.clock_offset_secs = 0;
        g.users.clear();
        g.users_by_email.clear();
        g.keys.clear();
        g.meetings.clear();
        g.settings = Settings::default();
        g.faults.clear();
        g.requests.clear();
        g.mails.clear();
        g.webhooks.reset();
        g.archives.reset();
        g.storage.reset();
    }
}

impl Inner {
    /// The next number of the simulator's one sequence (ids, faults).
    pub fn next_seq(&mut self) -> u64 {
        let n = self.next_id;
        self.next_id += 1;
        n
    }

    /// A fresh random id with a readable prefix.
    pub fn new_id(&mut self, prefix: &str) -> String {
        let n = self.next_seq();
        format!(
            "{prefix}_{n:04}{:012x}",
            self.rng.next_u64() & 0xffff_ffff_ffff
        )
    }

    /// Records a new key for `user_id` and returns its id (the JWT's `jti`); the caller issues
    /// the JWT itself with `auth::issue`, outside the lock.
    pub fn add_key(
        &mut self,
        user_id: &str,
        role: &str,
        name: &str,
        created_at: i64,
        expires_at: i64,
    ) -> String {
        let seq = self.next_id;
        let key_id = self.new_id("key");
        self.keys.insert(
            key_id.clone(),
            KeyRec {
                user_id: user_id.to_owned(),
                role: role.to_owned(),
                name: name.to_owned(),
                seq,
                created_at,
                expires_at,
                revoked_at: None,
            },
        );
        key_id
    }
}
