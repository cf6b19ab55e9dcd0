//! Archives (MiFID II): the records, their life cycle on the simulator clock, the four API
//! routes (list, get, download, abandon) and `POST /_sim/conferences`, which ends a conference
//! and so creates an archive.
//!
//! Life cycle, `STEP_MS` (1 simulated second) per step from `createdAt`: `PROCESSING`, then
//! `ARTIFACT_GATHERING_COMPLETE`, then `PACKING` (or `FAILED` for a conference created with
//! `fail: true`), then `AVAILABLE` once 3 steps have passed AND the packing work is done. The
//! packing work (CRC-32 of the recording, then SHA-256 of the whole zip) runs in a blocking task
//! that the lifecycle task starts as soon as an archive reads `PACKING`. The lifecycle task
//! looks at every record every [`TICK`] (real time), whoever reads them: it starts packing and
//! sends the `archive.available` notification once per archive that reached `AVAILABLE`.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::auth::Caller;
use crate::state::{Shared, Sim};
use crate::zipgen::{self, Entry, ZipImage};
use crate::{error, json_response, storage, time, webhooks};

/// This resource's API routes (the router and `api_routes` are made from them).
pub(crate) fn api() -> Vec<crate::ApiRoute> {
    use crate::api_route;
    vec![
        api_route("GET", "/api/v2/communication/conferences/archives", list),
        api_route(
            "GET",
            "/api/v2/communication/archives/archives/{archiveId}",
            get,
        ),
        api_route(
            "GET",
            "/api/v2/communication/archives/archives/{archiveId}/download",
            download,
        ),
        api_route(
            "POST",
            "/api/v2/communication/conferences/conferences/{conferenceId}/archive/abandon",
            abandon,
        ),
    ]
}

/// One step of the life cycle, in simulated milliseconds, unless `stepSeconds` says otherwise.
pub const STEP_MS: i64 = 1000;
/// How long an abandoned archive stays downloadable, in simulated seconds (3 days).
pub const EXPIRY_SECS: i64 = 3 * 86_400;
/// How often the lifecycle task looks at the records (real time).
pub const TICK: Duration = Duration::from_millis(50);
/// `sizeBytes` of `POST /_sim/conferences` when none is given (1 MiB).
pub const DEFAULT_SIZE: u64 = 1 << 20;
/// The largest archive one can ask for (64 GiB).
pub const MAX_SIZE: u64 = 64 << 30;
/// The tenant id written into `themis/metadata.json` unless the request names one.
pub const DEFAULT_TENANT: &str = "flexperto-sim";

/// The statuses, in life-cycle order (as the contract's `ArchiveStatus`).
pub const STATUSES: [&str; 7] = [
    "PROCESSING",
    "ARTIFACT_GATHERING_COMPLETE",
    "PACKING",
    "AVAILABLE",
    "FAILED",
    "ABANDONED",
    "EXPIRED",
];

/// A person of an archived conference.
#[derive(Debug, Clone, Default)]
pub struct Person {
    pub account_id: Option<String>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub permissions: Vec<String>,
}

impl Person {
    fn name(&self) -> Option<String> {
        let n = [self.first_name.as_deref(), self.last_name.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        (!n.is_empty()).then_some(n)
    }

    /// As an `ArchivePerson` of the record.
    fn record_json(&self) -> Value {
        let mut o = Map::new();
        for (k, v) in [
            ("accountId", &self.account_id),
            ("email", &self.email),
            ("firstName", &self.first_name),
            ("lastName", &self.last_name),
        ] {
            if let Some(v) = v {
                o.insert(k.into(), json!(v));
            }
        }
        Value::Object(o)
    }
}

/// One archive record.
#[derive(Debug, Clone)]
pub struct ArchiveRec {
    pub id: String,
    pub conference_id: String,
    pub created_ms: i64,
    /// One life-cycle step, in simulated milliseconds.
    pub step_ms: i64,
    pub started_at: i64,
    pub ended_at: i64,
    pub expert: Person,
    pub participants: Vec<Person>,
    /// `Some(error)` for an archive that fails.
    pub failure: Option<String>,
    /// The zip's entries; the recording's CRC-32 is 0 until packed.
    pub entries: Arc<Vec<Entry>>,
    pub packing_started: bool,
    /// The finished file and its SHA-256, once packed.
    pub image: Option<Arc<ZipImage>>,
    pub sha256: Option<String>,
    pub abandoned_at: Option<i64>,
    pub expires_at: Option<i64>,
    /// Whether the `archive.available` notification was sent.
    pub notified: bool,
}

impl ArchiveRec {
    /// The status at `now_ms` on the simulator clock.
    pub fn status(&self, now_ms: i64) -> &'static str {
        if let Some(exp) = self.expires_at {
            if now_ms.div_euclid(1000) >= exp {
                return "EXPIRED";
            }
        }
        if self.abandoned_at.is_some() {
            return "ABANDONED";
        }
        let elapsed = now_ms - self.created_ms;
        let step = self.step_ms;
        if elapsed < step {
            "PROCESSING"
        } else if elapsed < 2 * step {
            "ARTIFACT_GATHERING_COMPLETE"
        } else if self.failure.is_some() {
            "FAILED"
        } else if elapsed < 3 * step || self.sha256.is_none() {
            "PACKING"
        } else {
            "AVAILABLE"
        }
    }

    /// The record as the API shows it (`CommunicationConferencesArchiveResponse`).
    pub fn to_json(&self, now_ms: i64) -> Value {
        let status = self.status(now_ms);
        let mut o = Map::new();
        o.insert("id".into(), json!(self.id));
        o.insert(
            "subject".into(),
            json!({ "conference_id": self.conference_id }),
        );
        o.insert("status".into(), json!(status));
        if status == "FAILED" {
            if let Some(e) = &self.failure {
                o.insert("error".into(), json!(e));
            }
        }
        if matches!(status, "AVAILABLE" | "ABANDONED" | "EXPIRED") {
            if let (Some(sha), Some(img)) = (&self.sha256, &self.image) {
                o.insert("sha256CheckSum".into(), json!(sha));
                o.insert("sizeBytes".into(), json!(img.len()));
            }
        }
        o.insert(
            "conferenceStartedAt".into(),
            json!(time::rfc3339(self.started_at)),
        );
        o.insert(
            "conferenceEndedAt".into(),
            json!(time::rfc3339(self.ended_at)),
        );
        o.insert("expert".into(), self.expert.record_json());
        o.insert(
            "participants".into(),
            Value::Array(self.participants.iter().map(Person::record_json).collect()),
        );
        o.insert(
            "createdAt".into(),
            json!(time::rfc3339(self.created_ms.div_euclid(1000))),
        );
        if let Some(t) = self.abandoned_at {
            o.insert("abandonedAt".into(), json!(time::rfc3339(t)));
        }
        if let Some(t) = self.expires_at {
            o.insert("expiresAt".into(), json!(time::rfc3339(t)));
        }
        Value::Object(o)
    }
}

/// One call of abandonArchive that reached the handler (`GET /_sim/archives/abandons`), so that a
/// test can count how often each archive was abandoned.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AbandonLog {
    pub conference_id: String,
    /// `None` for a conference without an archive.
    pub archive_id: Option<String>,
    /// The archive's status when the call arrived.
    pub before: Option<&'static str>,
    /// The answer's status code.
    pub status: u16,
    /// Real time (Unix ms), comparable with file times.
    pub at_ms: i64,
}

/// The archive records, oldest first.
#[derive(Debug, Default)]
pub struct ArchiveState {
    pub records: Vec<ArchiveRec>,
    /// Bumped by `/_sim/reset`: packing work of an older generation is thrown away.
    pub generation: u64,
    /// Every abandon call, in arrival order (never trimmed: one entry per call).
    pub abandons: Vec<AbandonLog>,
}

impl ArchiveState {
    pub fn reset(&mut self) {
        self.records.clear();
        self.abandons.clear();
        self.generation += 1;
    }

    pub fn get(&self, id: &str) -> Option<&ArchiveRec> {
        self.records.iter().find(|r| r.id == id)
    }
}

// ---------------------------------------------------------------------------------------------
// The zip's content

fn seed_of(id: &str) -> u64 {
    // FNV-1a, then one splitmix round.
    let h = id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    zipgen::splitmix(h, 0)
}

fn json_bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(v).unwrap_or_default()
}

fn metadata_json(rec: &ArchiveRec, tenant: &str) -> Value {
    json!({
        "tenantId": tenant,
        "conferenceId": rec.conference_id,
        "startedAt": time::rfc3339(rec.started_at),
        "endedAt": time::rfc3339(rec.ended_at),
        "moderator": {
            "accountId": rec.expert.account_id,
            "email": rec.expert.email,
            "name": rec.expert.name(),
        },
        "participants": rec.participants.iter().map(|p| json!({
            "accountId": p.account_id,
            "email": p.email,
            "name": p.name(),
            "permissions": p.permissions,
        })).collect::<Vec<_>>(),
    })
}

fn chat_json(rec: &ArchiveRec) -> Value {
    let who = |p: &Person| (p.account_id.clone(), p.name());
    let expert = who(&rec.expert);
    let mut lines = vec![(
        60,
        expert.clone(),
        "Guten Tag, willkommen zur Depotberatung.",
    )];
    if let Some(p) = rec.participants.first() {
        lines.push((95, who(p), "Hallo, danke für die Einladung."));
    }
    lines.push((300, expert.clone(), "Ich teile jetzt meinen Bildschirm."));
    if let Some(p) = rec.participants.first() {
        lines.push((
            (rec.ended_at - rec.started_at - 60).max(301),
            who(p),
            "Vielen Dank, auf Wiederhören.",
        ));
    }
    let messages: Vec<Value> = lines
        .into_iter()
        .map(|(at, (id, name), text)| {
            json!({
                "sentAt": time::rfc3339(rec.started_at + at),
                "senderAccountId": id,
                "senderName": name,
                "text": text,
            })
        })
        .collect();
    json!({ "messages": messages })
}

fn whiteboard_json(rec: &ArchiveRec) -> Value {
    let at = |s: i64| time::rfc3339(rec.started_at + s);
    json!({ "events": [
        { "at": at(120), "type": "page.created", "accountId": rec.expert.account_id, "page": 1 },
        { "at": at(130), "type": "stroke", "accountId": rec.expert.account_id, "page": 1,
          "color": "#1a73e8", "width": 3, "points": [[40, 40], [220, 120], [400, 90]] },
        { "at": at(150), "type": "document.uploaded", "accountId": rec.expert.account_id,
          "name": "id-card.png" },
    ] })
}

/// A 1×1 PNG (signature, IHDR, IDAT, IEND).
fn png() -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut h = crc32fast::Hasher::new();
        h.update(kind);
        h.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&h.finalize().to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&1u32.to_be_bytes());
    ihdr.extend_from_slice(&1u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    let idat = miniz_oxide::deflate::compress_to_vec_zlib(&[0, 0x1a, 0x73, 0xe8], 6);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A one-page PDF with a correct cross-reference table.
fn pdf(rec: &ArchiveRec) -> Vec<u8> {
    let text = format!(
        "BT /F1 14 Tf 72 770 Td (Beratungsvertrag - conference {}) Tj ET",
        rec.conference_id
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect::<String>()
    );
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Index of the recording in [`entries`].
const RECORDING: usize = 3;
const RECORDING_NAME: &str = "themis/recordings/recording-0001.mp4";

/// The zip's entries, with the recording sized so that the whole file is `size` bytes (or as
/// close as zip64 field boundaries allow). `Err` names the smallest possible size.
fn entries(rec: &ArchiveRec, tenant: &str, size: u64) -> Result<Vec<Entry>, u64> {
    let seed = seed_of(&rec.id);
    // Everything but the recording, built once: only the recording depends on its length,
    // which is searched for below (each entry's data is shared, not copied, by a clone).
    let fixed = [
        Entry::deflated(
            "themis/metadata.json",
            &json_bytes(&metadata_json(rec, tenant)),
        ),
        Entry::deflated("themis/chat.json", &json_bytes(&chat_json(rec))),
        Entry::stored("themis/uploads/id-card.png", png()),
        Entry::stored("mithra/contract-0001.pdf", pdf(rec)),
        Entry::deflated("whiteboard/events.json", &json_bytes(&whiteboard_json(rec))),
    ];
    let with_recording = |len: u64| {
        let mut all = fixed.to_vec();
        all.insert(
            RECORDING,
            Entry::generated(
                RECORDING_NAME,
                zipgen::mp4_prefix(len),
                seed,
                len - zipgen::MP4_PREFIX_LEN,
            ),
        );
        all
    };
    let min = zipgen::MP4_PREFIX_LEN;
    let smallest = ZipImage::build(&with_recording(min), rec.ended_at).len();
    if size < smallest {
        return Err(smallest);
    }
    // total(len) = len + overhead(len), the overhead growing with len (zip64 fields). Start
    // from the smallest overhead (too long, or exact), step down once (now total <= size),
    // then up while that does not overshoot.
    let total = |len: u64| ZipImage::build(&with_recording(len), rec.ended_at).len();
    let mut len = min + (size - smallest);
    let t = total(len);
    len = len.saturating_sub(t.saturating_sub(size)).max(min);
    for _ in 0..4 {
        let t = total(len);
        if t >= size {
            break;
        }
        let up = len + (size - t);
        if total(up) > size {
            break;
        }
        len = up;
    }
    Ok(with_recording(len))
}

// ---------------------------------------------------------------------------------------------
// The lifecycle task

/// Starts the lifecycle task once per simulator (inside a Tokio runtime; otherwise a no-op).
pub fn ensure_ticker(sim: &Shared) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    if sim.ticker_started.swap(true, Ordering::SeqCst) {
        return;
    }
    let weak = Arc::downgrade(sim);
    rt.spawn(async move {
        loop {
            tokio::time::sleep(TICK).await;
            let Some(sim) = weak.upgrade() else { return };
            tick(&sim);
        }
    });
}

/// One look at every record: start packing where due, notify where newly available.
fn tick(sim: &Shared) {
    let now = sim.now_ms();
    let mut to_pack = Vec::new();
    let mut to_notify = Vec::new();
    let mut g = sim.lock();
    let generation = g.archives.generation;
    for r in &mut g.archives.records {
        let status = r.status(now);
        if status == "PACKING" && !r.packing_started {
            r.packing_started = true;
            to_pack.push((r.id.clone(), r.entries.clone(), r.ended_at));
        }
        if matches!(status, "AVAILABLE" | "ABANDONED" | "EXPIRED") && !r.notified {
            r.notified = true;
            to_notify.push((
                r.id.clone(),
                r.conference_id.clone(),
                r.sha256.clone().unwrap_or_default(),
            ));
        }
    }
    drop(g);
    for (id, entries, modified) in to_pack {
        let weak = Arc::downgrade(sim);
        tokio::task::spawn_blocking(move || pack(weak, generation, id, entries, modified));
    }
    for (id, conference_id, sha) in to_notify {
        webhooks::notify_archive_available(sim, &id, &conference_id, &sha);
    }
}

/// Whether the packing work of `generation` should go on (the simulator still exists and was
/// not reset).
fn still_wanted(weak: &Weak<Sim>, generation: u64) -> bool {
    weak.upgrade()
        .is_some_and(|s| s.lock().archives.generation == generation)
}

/// The packing work: the recording's CRC-32, the final layout, the SHA-256 of the whole file.
fn pack(weak: Weak<Sim>, generation: u64, id: String, entries: Arc<Vec<Entry>>, modified: i64) {
    // Checked every 64 chunks (64 MiB).
    let mut n = 0u32;
    let mut keep_going = || {
        n = n.wrapping_add(1);
        !n.is_multiple_of(64) || still_wanted(&weak, generation)
    };
    let mut entries = entries.as_ref().clone();
    let Some(rec) = entries.get_mut(RECORDING) else {
        return;
    };
    let Some(crc) = zipgen::recording_crc(rec, &mut keep_going) else {
        return;
    };
    rec.crc32 = crc;
    let image = Arc::new(ZipImage::build(&entries, modified));
    let Some(sha) = zipgen::sha256_hex(&image, &mut keep_going) else {
        return;
    };
    let Some(sim) = weak.upgrade() else { return };
    let mut g = sim.lock();
    if g.archives.generation != generation {
        return;
    }
    if let Some(r) = g.archives.records.iter_mut().find(|r| r.id == id) {
        r.image = Some(image);
        r.sha256 = Some(sha);
    }
}

// ---------------------------------------------------------------------------------------------
// `POST /_sim/conferences`

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PersonReq {
    account_id: Option<String>,
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    permissions: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ConferenceReq {
    size_bytes: Option<u64>,
    #[serde(default)]
    fail: bool,
    error: Option<String>,
    moderator: Option<PersonReq>,
    participants: Option<Vec<PersonReq>>,
    duration_seconds: Option<i64>,
    step_seconds: Option<i64>,
    tenant_id: Option<String>,
}

fn bad_request(message: impl Into<String>) -> Response {
    error(StatusCode::BAD_REQUEST, "BAD_REQUEST", message)
}

const DEFAULT_PERMISSIONS: [&str; 4] = ["audio", "video", "chat", "screen"];

fn person(p: PersonReq, default_id: String, default_permissions: &[&str]) -> Person {
    Person {
        account_id: Some(p.account_id.unwrap_or(default_id)),
        email: p.email,
        first_name: p.first_name,
        last_name: p.last_name,
        permissions: p.permissions.unwrap_or_else(|| {
            default_permissions
                .iter()
                .map(|s| (*s).to_owned())
                .collect()
        }),
    }
}

/// `POST /_sim/conferences`: ends a conference; answers 201 with the new archive record.
pub async fn end_conference(State(sim): State<Shared>, b: Bytes) -> Response {
    let req: ConferenceReq = match crate::control::body(&b) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let size = req.size_bytes.unwrap_or(DEFAULT_SIZE);
    if size > MAX_SIZE {
        return bad_request(format!("sizeBytes must be at most {MAX_SIZE}"));
    }
    let duration = req.duration_seconds.unwrap_or(1800);
    if !(1..=86_400).contains(&duration) {
        return bad_request("durationSeconds must be from 1 to 86400");
    }
    let step_ms = match req.step_seconds {
        None => STEP_MS,
        Some(s) if (1..=86_400).contains(&s) => s * 1000,
        Some(_) => return bad_request("stepSeconds must be from 1 to 86400"),
    };
    if req.participants.as_ref().is_some_and(|p| p.len() > 50) {
        return bad_request("participants may hold at most 50 entries");
    }
    if req.error.is_some() && !req.fail {
        return bad_request("error needs fail: true");
    }
    let tenant = req.tenant_id.unwrap_or_else(|| DEFAULT_TENANT.to_owned());
    let now_ms = sim.now_ms();
    let ended_at = now_ms.div_euclid(1000);
    let mut g = sim.lock();
    let id = g.new_id("arc");
    let conference_id = g.new_id("conf");
    let expert_id = g.new_id("usr");
    let moderator = req.moderator.unwrap_or_else(|| PersonReq {
        email: Some("erika.expert@example.invalid".into()),
        first_name: Some("Erika".into()),
        last_name: Some("Expert".into()),
        ..Default::default()
    });
    let expert = person(moderator, expert_id, &DEFAULT_PERMISSIONS);
    let participant_reqs = req.participants.unwrap_or_else(|| {
        vec![PersonReq {
            email: Some("kunde@example.invalid".into()),
            first_name: Some("Karl".into()),
            last_name: Some("Kunde".into()),
            ..Default::default()
        }]
    });
    let participants: Vec<Person> = participant_reqs
        .into_iter()
        .map(|p| {
            let default_id = g.new_id("usr");
            person(p, default_id, &DEFAULT_PERMISSIONS)
        })
        .collect();
    drop(g);
    let mut rec = ArchiveRec {
        id: id.clone(),
        conference_id: conference_id.clone(),
        created_ms: now_ms,
        step_ms,
        started_at: ended_at - duration,
        ended_at,
        expert,
        participants,
        failure: req.fail.then(|| {
            req.error
                .unwrap_or_else(|| "packing failed: a recording could not be read".into())
        }),
        entries: Arc::new(Vec::new()),
        packing_started: false,
        image: None,
        sha256: None,
        abandoned_at: None,
        expires_at: None,
        notified: false,
    };
    match entries(&rec, &tenant, size) {
        Ok(e) => rec.entries = Arc::new(e),
        Err(smallest) => {
            return bad_request(format!(
                "sizeBytes must be at least {smallest} for this conference"
            ))
        }
    }
    let out = rec.to_json(now_ms);
    sim.lock().archives.records.push(rec);
    ensure_ticker(&sim);
    json_response(
        StatusCode::CREATED,
        &json!({ "conferenceId": conference_id, "archiveId": id, "record": out }),
    )
}

// ---------------------------------------------------------------------------------------------
// The API

fn no_such_archive() -> Response {
    error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such archive")
}

/// What `read` makes of archive `id` at the simulator's now, for an admin caller; otherwise the
/// refusal (403, or 404 for an unknown id).
fn read_archive<T>(
    sim: &Shared,
    caller: &Caller,
    id: &str,
    read: impl FnOnce(&ArchiveRec, i64) -> T,
) -> Result<T, Response> {
    caller.require_admin()?;
    let now = sim.now_ms();
    let g = sim.lock();
    g.archives
        .get(id)
        .map(|r| read(r, now))
        .ok_or_else(no_such_archive)
}

/// `GET /api/v2/communication/conferences/archives?status=&limit=&offset=`
pub async fn list(
    State(sim): State<Shared>,
    Extension(caller): Extension<Caller>,
    RawQuery(query): RawQuery,
) -> Response {
    if let Err(r) = caller.require_admin() {
        return r;
    }
    let q: HashMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let num = |k: &str, default: usize, min: usize, max: usize| -> Result<usize, Response> {
        match q.get(k) {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (min..=max).contains(&n) && v.bytes().all(|c| c.is_ascii_digit()) => Ok(n),
                _ => Err(bad_request(format!(
                    "{k} must be an integer from {min} to {max}"
                ))),
            },
        }
    };
    let (limit, offset) = match (num("limit", 20, 1, 100), num("offset", 0, 0, usize::MAX)) {
        (Ok(l), Ok(o)) => (l, o),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let status = q.get("status").map(String::as_str);
    if let Some(s) = status {
        if !STATUSES.contains(&s) {
            return bad_request(format!("status must be one of {}", STATUSES.join(", ")));
        }
    }
    let now = sim.now_ms();
    let g = sim.lock();
    let matching: Vec<&ArchiveRec> = g
        .archives
        .records
        .iter()
        .filter(|r| status.is_none_or(|s| r.status(now) == s))
        .collect();
    let total = matching.len();
    let items: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|r| r.to_json(now))
        .collect();
    drop(g);
    json_response(
        StatusCode::OK,
        &json!({ "items": items, "total": total, "limit": limit, "offset": offset }),
    )
}

/// `GET /api/v2/communication/archives/archives/{archiveId}`
pub async fn get(
    State(sim): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    match read_archive(&sim, &caller, &id, |r, now| r.to_json(now)) {
        Ok(out) => json_response(StatusCode::OK, &out),
        Err(refused) => refused,
    }
}

/// `GET /api/v2/communication/archives/archives/{archiveId}/download`: 302 to a signed,
/// expiring URL on the storage origin.
pub async fn download(
    State(sim): State<Shared>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let (status, now) = match read_archive(&sim, &caller, &id, |r, now| (r.status(now), now)) {
        Ok(read) => read,
        Err(refused) => return refused,
    };
    if !matches!(status, "AVAILABLE" | "ABANDONED") {
        return error(
            StatusCode::CONFLICT,
            "CONFLICT",
            format!("archive {id} is {status}: there is no file to download"),
        );
    }
    let Some(origin) = storage::origin(&sim, &headers) else {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "STORAGE_UNAVAILABLE",
            "the storage origin is not running (start the simulator with serve())",
        );
    };
    let expires = now.div_euclid(1000) + storage::URL_VALIDITY_SECS;
    let location = format!("{origin}{}", storage::signed_path(&sim, &id, expires));
    let Ok(location) = HeaderValue::from_str(&location) else {
        return no_such_archive();
    };
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, location),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
    )
        .into_response()
}

/// `POST /api/v2/communication/conferences/conferences/{conferenceId}/archive/abandon`
pub async fn abandon(
    State(sim): State<Shared>,
    Extension(caller): Extension<Caller>,
    Path(conference_id): Path<String>,
) -> Response {
    if let Err(r) = caller.require_admin() {
        return r;
    }
    let now = sim.now_ms();
    let real_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let mut g = sim.lock();
    let (resp, archive_id, before) = abandon_locked(&mut g.archives, &conference_id, now);
    g.archives.abandons.push(AbandonLog {
        conference_id,
        archive_id,
        before,
        status: resp.status().as_u16(),
        at_ms: real_ms,
    });
    drop(g);
    resp
}

fn abandon_locked(
    archives: &mut ArchiveState,
    conference_id: &str,
    now: i64,
) -> (Response, Option<String>, Option<&'static str>) {
    let Some(r) = archives
        .records
        .iter_mut()
        .find(|r| r.conference_id == conference_id)
    else {
        let resp = error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "no archive for this conference",
        );
        return (resp, None, None);
    };
    let before = r.status(now);
    match before {
        "AVAILABLE" => {
            let at = now.div_euclid(1000);
            r.abandoned_at = Some(at);
            r.expires_at = Some(at + EXPIRY_SECS);
        }
        "ABANDONED" => {}
        other => {
            let resp = error(
                StatusCode::CONFLICT,
                "CONFLICT",
                format!(
                    "archive {} is {other}: only an AVAILABLE archive can be abandoned",
                    r.id
                ),
            );
            return (resp, Some(r.id.clone()), Some(before));
        }
    }
    let resp = json_response(StatusCode::OK, &r.to_json(now));
    (resp, Some(r.id.clone()), Some(before))
}

/// `GET /_sim/archives/abandons`: every abandon call that reached the handler.
pub async fn abandons(State(sim): State<Shared>) -> Response {
    let items = serde_json::to_value(&sim.lock().archives.abandons).unwrap_or_default();
    json_response(StatusCode::OK, &json!({ "items": items }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn rec() -> ArchiveRec {
        ArchiveRec {
            id: "arc_1".into(),
            conference_id: "conf_1".into(),
            created_ms: 1_000_000,
            step_ms: STEP_MS,
            started_at: 0,
            ended_at: 1800,
            expert: Person::default(),
            participants: vec![Person::default()],
            failure: None,
            entries: Arc::new(Vec::new()),
            packing_started: false,
            image: None,
            sha256: None,
            abandoned_at: None,
            expires_at: None,
            notified: false,
        }
    }

    #[test]
    fn sizes_the_zip_exactly() {
        let r = rec();
        for size in [20_000u64, 1 << 20, 5_000_000_000] {
            let e = entries(&r, "t", size).unwrap();
            assert_eq!(ZipImage::build(&e, 0).len(), size, "{size}");
        }
        assert!(entries(&r, "t", 100).is_err());
        // The boundary where the recording's sizes need zip64 fields.
        for size in (0xFFFF_FFFFu64 - 64)..(0xFFFF_FFFF + 96) {
            let e = entries(&r, "t", size).unwrap();
            let got = ZipImage::build(&e, 0).len();
            assert!(got <= size && size - got < 64, "{size}: {got}");
        }
    }

    #[test]
    fn walks_the_steps() {
        let mut r = rec();
        let t = r.created_ms;
        assert_eq!(r.status(t), "PROCESSING");
        assert_eq!(r.status(t + STEP_MS), "ARTIFACT_GATHERING_COMPLETE");
        assert_eq!(r.status(t + 2 * STEP_MS), "PACKING");
        assert_eq!(r.status(t + 30 * STEP_MS), "PACKING");
        r.sha256 = Some("0".repeat(64));
        assert_eq!(r.status(t + 3 * STEP_MS - 1), "PACKING");
        assert_eq!(r.status(t + 3 * STEP_MS), "AVAILABLE");
        r.abandoned_at = Some(2000);
        r.expires_at = Some(2000 + EXPIRY_SECS);
        assert_eq!(r.status(t + 3 * STEP_MS), "ABANDONED");
        assert_eq!(r.status((2000 + EXPIRY_SECS) * 1000), "EXPIRED");
        let mut f = rec();
        f.failure = Some("x".into());
        assert_eq!(f.status(t + 2 * STEP_MS), "FAILED");
    }
}
