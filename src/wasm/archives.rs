//! The archive methods of the client that call the API: listArchives, getArchive,
//! archiveDownloadUrl, abandonArchive. (Streaming downloads and paging are JS I/O over these.)

use js_sys::Promise;
use serde::Deserialize;
use tsify::Tsify;
use wasm_bindgen::prelude::*;

use super::client::JsClient;
use super::{call_of, get, id_call, input, json_out, promise, reject};
use crate::archive::ArchiveStatus;
use crate::error::{Error, ValidationError};
use crate::models::archives as m;

/// The query of listArchives.
#[derive(Debug, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListArchivesQuery {
    /// Only archives in this status.
    #[serde(default)]
    #[tsify(optional, type = "ArchiveStatus")]
    pub status: Option<String>,
    /// Page size, 1 to 100.
    #[serde(default)]
    #[tsify(optional)]
    pub limit: Option<u32>,
    /// Records to skip.
    #[serde(default)]
    #[tsify(optional)]
    pub offset: Option<u32>,
}

/// A person in an archive record (fields inferred; unknown ones kept).
#[derive(Debug, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // declared for TypeScript (tsify); the value crosses as the API sent it
pub struct ArchiveRecordPerson {
    /// The account id.
    #[tsify(optional)]
    pub account_id: Option<String>,
    /// E-mail.
    #[tsify(optional)]
    pub email: Option<String>,
    /// First name.
    #[tsify(optional)]
    pub first_name: Option<String>,
    /// Last name.
    #[tsify(optional)]
    pub last_name: Option<String>,
}

/// An archive record (`CommunicationConferencesArchiveResponse`), as the API sent it: `id`,
/// `subject.conference_id` and `status` are checked; `sha256CheckSum` is 64 hex digits when
/// present; unknown fields are kept.
#[derive(Debug, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // declared for TypeScript (tsify); the value crosses as the API sent it
pub struct ArchiveRecord {
    /// The archiveId (getArchive, archiveDownloadUrl, downloadArchive).
    pub id: String,
    /// `subject.conference_id` is what abandonArchive takes (the API's own field name).
    #[tsify(type = "{ conference_id: string; [field: string]: unknown }")]
    pub subject: serde_json::Value,
    /// The status.
    #[tsify(type = "ArchiveStatus")]
    pub status: String,
    /// Why building the archive failed (FAILED).
    #[tsify(optional)]
    pub error: Option<String>,
    /// SHA-256 of the zip: check the download against it.
    #[serde(rename = "sha256CheckSum")]
    #[tsify(optional)]
    pub sha256_check_sum: Option<String>,
    /// RFC 3339.
    #[tsify(optional)]
    pub conference_started_at: Option<String>,
    /// RFC 3339.
    #[tsify(optional)]
    pub conference_ended_at: Option<String>,
    /// The expert.
    #[tsify(optional)]
    pub expert: Option<ArchiveRecordPerson>,
    /// The participants.
    #[tsify(optional)]
    pub participants: Option<Vec<ArchiveRecordPerson>>,
    /// RFC 3339.
    #[tsify(optional)]
    pub created_at: Option<String>,
    /// RFC 3339.
    #[tsify(optional)]
    pub abandoned_at: Option<String>,
    /// RFC 3339.
    #[tsify(optional)]
    pub expires_at: Option<String>,
    /// The file's size.
    #[tsify(optional)]
    pub size_bytes: Option<f64>,
}

/// One page of archive records.
#[derive(Debug, Deserialize, Tsify)]
#[allow(dead_code)] // declared for TypeScript (tsify); the value crosses as the API sent it
pub struct ArchiveList {
    /// The records.
    pub items: Vec<ArchiveRecord>,
    /// How many records match, when the server says.
    #[tsify(optional)]
    pub total: Option<f64>,
}

fn list_js(list: &m::ArchiveList) -> JsValue {
    let items: Vec<&str> = list.items.iter().map(|r| r.raw.as_str()).collect();
    let total = list
        .total
        .map(|t| format!(",\"total\":{t}"))
        .unwrap_or_default();
    json_out(&format!("{{\"items\":[{}]{total}}}", items.join(",")))
}

/// The target of abandonArchive: a conference id, a record, or both ids (`abandon_target` reads
/// it).
#[derive(Tsify)]
#[serde(untagged)]
#[allow(dead_code)] // declarations only
pub enum AbandonTarget {
    /// The conference id.
    ConferenceId(String),
    /// The archive record (its `subject.conference_id` and `id`).
    Record(ArchiveRecord),
    /// Both ids.
    Ids(AbandonIds),
}

/// The ids of an abandonArchive target.
#[derive(Tsify)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // declarations only
pub struct AbandonIds {
    /// The conference the archive is of.
    conference_id: String,
    /// The archive's id (for a `routes.abandonArchive` override with `{archiveId}`).
    #[tsify(optional)]
    archive_id: Option<String>,
}

#[wasm_bindgen(js_class = FlexpertoClient)]
impl JsClient {
    /// ListArchives: `GET /api/v2/communication/conferences/archives`. One page of archive
    /// records `{ items, total? }` (admin keys only); `status` filters, `limit` is 1 to 100.
    #[wasm_bindgen(js_name = listArchives, unchecked_return_type = "Promise<ArchiveList>")]
    pub fn list_archives(
        &self,
        query: Option<super::OptListArchivesQuery>,
        options: Option<super::OptRequestOptions>,
    ) -> Promise {
        let args = (|| {
            let q: ListArchivesQuery = match query.map(JsValue::from) {
                Some(q) if !q.is_undefined() && !q.is_null() => input::from_js(&q, "query")?,
                _ => ListArchivesQuery::default(),
            };
            Ok((q, call_of(options)?))
        })();
        let (q, call) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let q = m::ListArchivesQuery {
            status: q.status.as_deref().map(ArchiveStatus::parse),
            limit: q.limit,
            offset: q.offset,
        };
        let client = self.scoped(call);
        promise(async move { client.list_archives(&q).await }, |l| {
            list_js(&l)
        })
    }

    /// GetArchive: `GET /api/v2/communication/archives/archives/{archiveId}`. An id with `/`,
    /// `..` and the like is refused with a `ValidationError` before any request.
    #[wasm_bindgen(js_name = getArchive, unchecked_return_type = "Promise<ArchiveRecord>")]
    pub fn get_archive(
        &self,
        #[wasm_bindgen(js_name = archiveId, unchecked_param_type = "string")] archive_id: JsValue,
        options: Option<super::OptRequestOptions>,
    ) -> Promise {
        let args = id_call(&archive_id, "archiveId", options);
        let (id, call) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let client = self.scoped(call);
        promise(async move { client.get_archive(&id).await }, |r| {
            json_out(&r.raw)
        })
    }

    /// The signed object-storage URL of an archive file: DownloadArchive's 302, resolved without
    /// following it. Fetch it WITHOUT the api-key header; it expires. Works where redirects can
    /// be read (Node); a browser cannot, and should not hold the key anyway.
    #[wasm_bindgen(js_name = archiveDownloadUrl, unchecked_return_type = "Promise<string>")]
    pub fn archive_download_url(
        &self,
        #[wasm_bindgen(js_name = archiveId, unchecked_param_type = "string")] archive_id: JsValue,
        options: Option<super::OptRequestOptions>,
    ) -> Promise {
        let args = id_call(&archive_id, "archiveId", options);
        let (id, call) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let client = self.scoped(call);
        promise(async move { client.archive_download_url(&id).await }, |u| {
            JsValue::from_str(&u)
        })
    }

    /// AbandonArchive: `POST .../conferences/{conferenceId}/archive/abandon`. Claims the archive
    /// (status ABANDONED, downloadable until it expires). Takes the CONFERENCE id
    /// (`record.subject.conference_id`), or the record itself (or `{ conferenceId, archiveId }`),
    /// which also gives the archive id that a `routes.abandonArchive` override with
    /// `{archiveId}` (the older path) takes. Resolves to the record when the server sends one.
    #[wasm_bindgen(js_name = abandonArchive, unchecked_return_type = "Promise<ArchiveRecord | null>")]
    pub fn abandon_archive(
        &self,
        #[wasm_bindgen(js_name = conferenceIdOrRecord)] target: super::OptAbandonTarget,
        options: Option<super::OptRequestOptions>,
    ) -> Promise {
        let target = JsValue::from(target);
        let args = abandon_target(&target).and_then(|ids| Ok((ids, call_of(options)?)));
        let ((conference, archive), call) = match args {
            Ok(a) => a,
            Err(e) => return reject(e),
        };
        let client = self.scoped(call);
        promise(
            async move {
                client
                    .abandon_archive_of(&conference, archive.as_deref())
                    .await
            },
            |r| r.map_or(JsValue::NULL, |r| json_out(&r.raw)),
        )
    }
}

/// The ids an abandonArchive target gives: a string is the conference id; a record (or
/// `{ conferenceId, archiveId }`) also gives the archive id.
fn abandon_target(target: &JsValue) -> Result<(String, Option<String>), Error> {
    let text = |v: JsValue| v.as_string();
    if let Some(s) = target.as_string() {
        return Ok((s, None));
    }
    let bad = |reason: &str| -> Error {
        ValidationError::InvalidArgument {
            field: "conferenceId".into(),
            reason: reason.into(),
        }
        .into()
    };
    if !target.is_object() {
        return Err(bad(
            "must be a string, an archive record or { conferenceId, archiveId }",
        ));
    }
    let copy = input::snapshot(target, "conferenceId", 1)?;
    let subject = get(&copy, "subject");
    let conference = text(get(&copy, "conferenceId")).or_else(|| {
        subject
            .is_object()
            .then(|| text(get(&subject, "conference_id")))
            .flatten()
    });
    let archive = text(get(&copy, "archiveId")).or_else(|| text(get(&copy, "id")));
    conference
        .map(|c| (c, archive))
        .ok_or_else(|| bad("is required"))
}
