//! Builders and parsers for the archive endpoints (MiFID II): ListArchives, GetArchive,
//! DownloadArchive (a 302 to object storage, resolved here and never followed with the key) and
//! AbandonArchive (which takes the conference id, not the archive id).

use serde_json::{Map, Value};

use super::RouteTable;
use super::{build_path, invalid_response, parse_object, ApiRequest, ApiResponse, Operation};
use crate::archive::ArchiveStatus;
use crate::client::Client;
use crate::error::Error;
use crate::error::{ApiError, ValidationError};
use crate::models::archives::{ArchiveList, ArchiveRecord, ListArchivesQuery};
use crate::transport::Transport;
use crate::webhook::is_sha256_hex;

/// The largest page the contract allows (`spec/`: `limit` 1 to 100).
pub const MAX_LIMIT: u32 = 100;

/// Checks an archive or conference id before it goes into a path: besides
/// [`super::check_id`]'s rules, no `/`, `\`, `%`, `..`, white space or control characters (an id
/// never needs them, and each could change which resource a proxy or the server resolves).
///
/// # Errors
/// [`ValidationError::InvalidId`].
pub fn check_archive_id(name: &'static str, id: &str) -> Result<(), ValidationError> {
    super::check_id(name, id)?;
    let bad = id.contains("..")
        || id
            .chars()
            .any(|c| matches!(c, '/' | '\\' | '%') || c.is_whitespace() || c.is_control());
    if bad {
        return Err(ValidationError::InvalidId {
            name,
            reason: "must not contain /, \\, %, .., white space or control characters",
        });
    }
    Ok(())
}

/// `GET /api/v2/communication/conferences/archives?status=&limit=&offset=`.
///
/// # Errors
/// [`ValidationError::InvalidArgument`] for a limit of 0 or above [`MAX_LIMIT`], or a status the
/// SDK does not know.
pub fn list_archives(
    routes: &RouteTable,
    q: &ListArchivesQuery,
) -> Result<ApiRequest, ValidationError> {
    if q.limit.is_some_and(|l| l == 0 || l > MAX_LIMIT) {
        return Err(ValidationError::InvalidArgument {
            field: "limit".into(),
            reason: format!("must be 1 to {MAX_LIMIT}"),
        });
    }
    if let Some(ArchiveStatus::Other(s)) = &q.status {
        return Err(ValidationError::InvalidArgument {
            field: "status".into(),
            reason: format!("unknown archive status {s:?}"),
        });
    }
    let path = build_path(
        routes,
        Operation::ListArchives,
        &[],
        &[
            ("status", q.status.as_ref().map(|s| s.as_str().to_owned())),
            ("limit", q.limit.map(|l| l.to_string())),
            ("offset", q.offset.map(|o| o.to_string())),
        ],
    )?;
    Ok(ApiRequest::new(Operation::ListArchives, path, None))
}

/// `GET /api/v2/communication/archives/archives/{archiveId}`.
///
/// # Errors
/// [`ValidationError::InvalidId`].
pub fn get_archive(routes: &RouteTable, archive_id: &str) -> Result<ApiRequest, ValidationError> {
    by_id(routes, Operation::GetArchive, "archiveId", archive_id)
}

/// `GET /api/v2/communication/archives/archives/{archiveId}/download`: the answer is a 302 whose
/// `Location` is the file in object storage ([`parse_download_location`]).
///
/// # Errors
/// [`ValidationError::InvalidId`].
pub fn download_archive(
    routes: &RouteTable,
    archive_id: &str,
) -> Result<ApiRequest, ValidationError> {
    by_id(
        routes,
        Operation::ArchiveDownloadUrl,
        "archiveId",
        archive_id,
    )
}

/// `POST /api/v2/communication/conferences/conferences/{conferenceId}/archive/abandon`.
///
/// # Errors
/// [`ValidationError::InvalidId`].
pub fn abandon_archive(
    routes: &RouteTable,
    conference_id: &str,
) -> Result<ApiRequest, ValidationError> {
    by_id(
        routes,
        Operation::AbandonArchive,
        "conferenceId",
        conference_id,
    )
}

/// The abandon call with the id its route asks for: the default route (and any override with
/// `{conferenceId}`) takes the conference id; an override with `{archiveId}` (the older
/// `POST /communication/archives/archives/{archiveId}/abandon`) takes the archive id.
///
/// # Errors
/// [`ValidationError::InvalidId`] for a bad id; [`ValidationError::InvalidArgument`] (field
/// `archiveId`) when the route takes the archive id and none is given.
pub fn abandon_archive_ids(
    routes: &RouteTable,
    conference_id: &str,
    archive_id: Option<&str>,
) -> Result<ApiRequest, ValidationError> {
    if !routes
        .path(Operation::AbandonArchive)
        .contains("{archiveId}")
    {
        return abandon_archive(routes, conference_id);
    }
    let archive_id = archive_id.ok_or_else(|| ValidationError::InvalidArgument {
        field: "archiveId".into(),
        reason: "the abandonArchive route takes {archiveId}: pass the archive id (or the record)"
            .into(),
    })?;
    by_id(routes, Operation::AbandonArchive, "archiveId", archive_id)
}

/// A body-less request to `op`, whose path has the one id `param` (checked first).
fn by_id(
    routes: &RouteTable,
    op: Operation,
    param: &'static str,
    id: &str,
) -> Result<ApiRequest, ValidationError> {
    check_archive_id(param, id)?;
    let path = build_path(routes, op, &[(param, id)], &[])?;
    Ok(ApiRequest::new(op, path, None))
}

fn record_from(
    op: Operation,
    status: u16,
    obj: Map<String, Value>,
) -> Result<ArchiveRecord, ApiError> {
    let bad = |why: &str| invalid_response(op, status, why);
    let id = match obj.get("id") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) if n.is_u64() => n.to_string(),
        _ => return Err(bad("archive record: missing or invalid id")),
    };
    let conference_id = match obj.get("subject").and_then(|s| s.get("conference_id")) {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) if n.is_u64() => n.to_string(),
        _ => return Err(bad("archive record: missing subject.conference_id")),
    };
    let archive_status = match obj.get("status") {
        Some(Value::String(s)) if !s.is_empty() => ArchiveStatus::parse(s),
        _ => return Err(bad("archive record: missing status")),
    };
    let opt_str = |k: &str| -> Result<Option<String>, ApiError> {
        match obj.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad(&format!("archive record: {k} must be a string"))),
        }
    };
    let sha256 = opt_str("sha256CheckSum")?;
    if sha256.as_deref().is_some_and(|s| !is_sha256_hex(s)) {
        return Err(bad("archive record: sha256CheckSum must be 64 hex digits"));
    }
    let error = opt_str("error")?;
    let size_bytes = match obj.get("sizeBytes") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.is_u64() => n.as_u64(),
        Some(_) => {
            return Err(bad(
                "archive record: sizeBytes must be a non-negative integer",
            ))
        }
    };
    Ok(ArchiveRecord {
        id,
        conference_id,
        status: archive_status,
        sha256: sha256.map(|s| s.to_ascii_lowercase()),
        error,
        size_bytes,
        raw: Value::Object(obj).to_string(),
    })
}

/// Parses one archive record: `id`, `subject.conference_id` and `status` are required;
/// `sha256CheckSum` (64 hex digits), `error` and `sizeBytes` are typed when present; everything
/// else is kept in `raw`.
///
/// # Errors
/// `INVALID_RESPONSE`.
pub fn parse_archive(op: Operation, resp: &ApiResponse) -> Result<ArchiveRecord, ApiError> {
    let (obj, _) = parse_object(op, resp)?;
    record_from(op, resp.status, obj)
}

/// Parses an AbandonArchive answer: the record, or `None` when the body is empty.
///
/// # Errors
/// `INVALID_RESPONSE` for a body that is not a valid record.
pub fn parse_abandoned(resp: &ApiResponse) -> Result<Option<ArchiveRecord>, ApiError> {
    if resp.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    parse_archive(Operation::AbandonArchive, resp).map(Some)
}

/// Parses a list `{ "items": [...], "total"?: n }` (a bare array is accepted too).
///
/// # Errors
/// `INVALID_RESPONSE` when it is not a list or an item is not a valid record.
pub fn parse_archive_list(resp: &ApiResponse) -> Result<ArchiveList, ApiError> {
    let op = Operation::ListArchives;
    let v: Value = serde_json::from_slice(&resp.body)
        .map_err(|_| invalid_response(op, resp.status, "not JSON"))?;
    let (items, total) = match v {
        Value::Array(a) => (a, None),
        Value::Object(mut o) => {
            let total = o.get("total").and_then(Value::as_u64);
            // Taken, not removed: no B-tree removal code in the wasm for this one call.
            match o.get_mut("items").map(Value::take) {
                Some(Value::Array(a)) => (a, total),
                _ => {
                    return Err(invalid_response(
                        op,
                        resp.status,
                        "expected {\"items\": [...]}",
                    ))
                }
            }
        }
        _ => return Err(invalid_response(op, resp.status, "expected a list")),
    };
    let items = items
        .into_iter()
        .map(|item| match item {
            Value::Object(o) => record_from(op, resp.status, o),
            _ => Err(invalid_response(
                op,
                resp.status,
                "archive record: not an object",
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ArchiveList { items, total })
}

/// The storage URL of a download answer: the `Location` of a 301/302/303/307/308, made absolute
/// against `base_url` when relative, and only `https` (or `http` to a loopback host, for the
/// simulator). The caller fetches it WITHOUT the api-key header.
///
/// # Errors
/// `INVALID_RESPONSE` when the answer is not a redirect with a usable `Location`.
pub fn parse_download_location(resp: &ApiResponse, base_url: &str) -> Result<String, ApiError> {
    let op = Operation::ArchiveDownloadUrl;
    let bad = |why: &str| invalid_response(op, resp.status, why);
    if !matches!(resp.status, 301 | 302 | 303 | 307 | 308) {
        return Err(bad(
            "expected a redirect to the archive file (a browser cannot read it: download from a server)",
        ));
    }
    let loc = resp
        .location
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .ok_or_else(|| bad("redirect without Location"))?;
    let absolute = if loc.starts_with('/') && !loc.starts_with("//") {
        format!("{}{loc}", base_url.trim_end_matches('/'))
    } else {
        loc.to_owned()
    };
    crate::archive::storage::check_storage_url(&absolute).map_err(bad)?;
    Ok(absolute)
}

/// The `Client` methods of this resource: build, send through [`Client::execute`], parse.
impl<T: Transport> Client<T> {
    /// ListArchives: one page of the tenant's archive records (admin keys only).
    ///
    /// # Errors
    /// [`Error::Validation`] for a bad limit or status; otherwise as [`Client::execute`], and
    /// `INVALID_RESPONSE` for a record without `id`, `subject.conference_id` or `status`.
    pub async fn list_archives(&self, q: &ListArchivesQuery) -> Result<ArchiveList, Error> {
        let req = list_archives(&self.config().routes, q)?;
        let resp = self.execute(&req).await?;
        Ok(parse_archive_list(&resp)?)
    }

    /// GetArchive: one archive record.
    ///
    /// # Errors
    /// [`Error::Validation`] for an id with `/`, `..` and the like; otherwise as
    /// [`Client::list_archives`].
    pub async fn get_archive(&self, archive_id: &str) -> Result<ArchiveRecord, Error> {
        let req = get_archive(&self.config().routes, archive_id)?;
        let resp = self.execute(&req).await?;
        Ok(parse_archive(Operation::GetArchive, &resp)?)
    }

    /// DownloadArchive without following it: the signed object-storage URL of the file. Fetch it
    /// WITHOUT the api-key header (it is a different host, and the URL carries its own
    /// signature); it expires, so resolve it again when storage refuses it.
    ///
    /// # Errors
    /// As [`Client::get_archive`]; `INVALID_RESPONSE` when the answer is not a redirect to an
    /// https URL (in a browser the redirect cannot be read at all).
    pub async fn archive_download_url(&self, archive_id: &str) -> Result<String, Error> {
        let req = download_archive(&self.config().routes, archive_id)?;
        let resp = self.execute(&req).await?;
        Ok(parse_download_location(&resp, &self.config().base_url)?)
    }

    /// AbandonArchive: claims the archive of a conference (status ABANDONED; the file stays
    /// downloadable for the expiry period, then EXPIRED). Takes the conference id. Returns the
    /// record when the server sends one.
    ///
    /// # Errors
    /// As [`Client::get_archive`].
    pub async fn abandon_archive(
        &self,
        conference_id: &str,
    ) -> Result<Option<ArchiveRecord>, Error> {
        self.abandon_archive_of(conference_id, None).await
    }

    /// AbandonArchive with both ids: the route decides which one is sent (the default takes the
    /// conference id; an override with `{archiveId}`, the older path, takes the archive id).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` (field `archiveId`) when the route takes the archive id and none is
    /// given; otherwise as [`Client::get_archive`].
    pub async fn abandon_archive_of(
        &self,
        conference_id: &str,
        archive_id: Option<&str>,
    ) -> Result<Option<ArchiveRecord>, Error> {
        let req = abandon_archive_ids(&self.config().routes, conference_id, archive_id)?;
        let resp = self.execute(&req).await?;
        Ok(parse_abandoned(&resp)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str, location: Option<&str>) -> ApiResponse {
        ApiResponse {
            status,
            location: location.map(str::to_owned),
            body: body.as_bytes().to_vec(),
            ..ApiResponse::default()
        }
    }

    #[test]
    fn builders() {
        let r = RouteTable::default();
        let q = ListArchivesQuery {
            status: Some(ArchiveStatus::Available),
            limit: Some(50),
            offset: Some(100),
        };
        assert_eq!(
            list_archives(&r, &q).unwrap().path_and_query,
            "/api/v2/communication/conferences/archives?status=AVAILABLE&limit=50&offset=100"
        );
        assert_eq!(
            list_archives(&r, &ListArchivesQuery::default())
                .unwrap()
                .path_and_query,
            "/api/v2/communication/conferences/archives"
        );
        for limit in [0, MAX_LIMIT + 1] {
            let q = ListArchivesQuery {
                limit: Some(limit),
                ..ListArchivesQuery::default()
            };
            assert!(list_archives(&r, &q).is_err());
        }
        let q = ListArchivesQuery {
            status: Some(ArchiveStatus::parse("NOPE")),
            ..ListArchivesQuery::default()
        };
        assert!(list_archives(&r, &q).is_err());
        assert_eq!(
            download_archive(&r, "arc_1").unwrap().path_and_query,
            "/api/v2/communication/archives/archives/arc_1/download"
        );
        let a = abandon_archive(&r, "conf_1").unwrap();
        assert_eq!(
            a.path_and_query,
            "/api/v2/communication/conferences/conferences/conf_1/archive/abandon"
        );
        assert!(!a.idempotent);
        for bad in [
            "", ".", "..", "a/b", "../x", "a..b", "a\\b", "a%2Fb", "a b", "a\nb",
        ] {
            assert!(get_archive(&r, bad).is_err(), "{bad:?}");
            assert!(abandon_archive(&r, bad).is_err(), "{bad:?}");
        }
    }

    /// The older abandon path names the archive: an override may use `{archiveId}`, and the
    /// request then carries the archive id, not the conference id.
    #[test]
    fn abandon_override_with_the_archive_id() {
        let default = RouteTable::default();
        assert_eq!(
            abandon_archive_ids(&default, "conf_1", Some("arc_1"))
                .unwrap()
                .path_and_query,
            "/api/v2/communication/conferences/conferences/conf_1/archive/abandon"
        );
        let mut older = RouteTable::default();
        older
            .set(
                "abandonArchive",
                "/api/v2/communication/archives/archives/{archiveId}/abandon",
            )
            .unwrap();
        let a = abandon_archive_ids(&older, "conf_1", Some("arc_1")).unwrap();
        assert_eq!(
            a.path_and_query,
            "/api/v2/communication/archives/archives/arc_1/abandon"
        );
        assert_eq!(a.method.as_str(), "POST");
        assert_eq!(
            abandon_archive_ids(&older, "conf_1", None)
                .unwrap_err()
                .code(),
            "INVALID_ARGUMENT"
        );
        assert!(abandon_archive_ids(&older, "conf_1", Some("../x")).is_err());
        // Other placeholders stay refused.
        assert!(older
            .set("abandonArchive", "/api/v2/x/{userId}/abandon")
            .is_err());
        assert!(older.set("getArchive", "/api/v2/x/{conferenceId}").is_err());
    }

    #[test]
    fn records_are_checked_and_kept() {
        let ok = r#"{"id":"arc_1","subject":{"conference_id":"conf_1","type":"conference"},"status":"AVAILABLE","sha256CheckSum":"AB00000000000000000000000000000000000000000000000000000000000000","sizeBytes":12,"new":1}"#;
        let rec = parse_archive(Operation::GetArchive, &resp(200, ok, None)).unwrap();
        assert_eq!(rec.id, "arc_1");
        assert_eq!(rec.conference_id, "conf_1");
        assert_eq!(rec.status, ArchiveStatus::Available);
        assert_eq!(rec.sha256.as_deref().map(|s| &s[..2]), Some("ab"));
        assert_eq!(rec.size_bytes, Some(12));
        assert!(rec.raw.contains("\"new\":1"));
        let other = r#"{"id":"a","subject":{"conference_id":"c"},"status":"LATER_STATE"}"#;
        let rec = parse_archive(Operation::GetArchive, &resp(200, other, None)).unwrap();
        assert_eq!(rec.status, ArchiveStatus::Other("LATER_STATE".into()));
        for bad in [
            "[]",
            "{}",
            r#"{"id":"a","status":"AVAILABLE"}"#,
            r#"{"id":"a","subject":{},"status":"AVAILABLE"}"#,
            r#"{"id":"a","subject":{"conference_id":"c"}}"#,
            r#"{"id":"a","subject":{"conference_id":"c"},"status":"AVAILABLE","sha256CheckSum":"xyz"}"#,
            r#"{"id":"a","subject":{"conference_id":"c"},"status":"AVAILABLE","sizeBytes":-1}"#,
            r#"{"id":"a","subject":{"conference_id":"c"},"status":"FAILED","error":5}"#,
        ] {
            let e = parse_archive(Operation::GetArchive, &resp(200, bad, None)).unwrap_err();
            assert_eq!(e.code, "INVALID_RESPONSE", "{bad}");
        }
        assert_eq!(parse_abandoned(&resp(200, " \n", None)).unwrap(), None);
        assert_eq!(
            parse_abandoned(&resp(200, ok, None)).unwrap().map(|r| r.id),
            Some("arc_1".to_owned())
        );
        assert!(parse_abandoned(&resp(200, "{}", None)).is_err());
        let list = format!(r#"{{"items":[{ok},{other}],"total":7}}"#);
        let l = parse_archive_list(&resp(200, &list, None)).unwrap();
        assert_eq!((l.items.len(), l.total), (2, Some(7)));
        assert!(parse_archive_list(&resp(200, r#"{"items":[1]}"#, None)).is_err());
        assert!(parse_archive_list(&resp(200, r#"{"records":[]}"#, None)).is_err());
    }

    /// The parsers never panic on mutated records (the stable stand-in for fuzz/archive_record).
    #[test]
    fn parsers_survive_mutations() {
        let seed = br#"{"items":[{"id":"arc_1","subject":{"conference_id":"conf_1"},"status":"AVAILABLE","sha256CheckSum":"ab00000000000000000000000000000000000000000000000000000000000000","sizeBytes":12}],"total":1}"#;
        let alphabet = b"{}[]\":,0123456789-.eEtrufalsn\\/ \xc3\xa9";
        let seeds: [&[u8]; 1] = [seed];
        for b in crate::test_mutate::mutations(&seeds, alphabet, 20_000, 4, 0x9e37_79b9_7f4a_7c15) {
            let r = resp(200, "", None);
            let r = ApiResponse {
                body: b.clone(),
                ..r
            };
            if let Ok(list) = parse_archive_list(&r) {
                for rec in &list.items {
                    assert!(!rec.id.is_empty() && !rec.conference_id.is_empty());
                }
            }
            let _ = parse_archive(Operation::GetArchive, &r);
            if let Ok(s) = std::str::from_utf8(&b) {
                let _ = parse_download_location(
                    &resp(302, "", Some(s)),
                    "https://x.test.flexperto.com",
                );
            }
        }
    }

    #[test]
    fn download_locations() {
        let base = "https://demo.test.flexperto.com";
        let loc = |l: &str| parse_download_location(&resp(302, "", Some(l)), base);
        assert_eq!(
            loc("https://s3.example.com/b/arc.zip?X-Sig=1").unwrap(),
            "https://s3.example.com/b/arc.zip?X-Sig=1"
        );
        assert_eq!(loc("/files/a.zip").unwrap(), format!("{base}/files/a.zip"));
        assert!(loc("http://127.0.0.1:9000/b/a.zip").is_ok());
        assert!(loc("http://[::1]:9000/b/a.zip").is_ok());
        for bad in [
            "http://s3.example.com/a.zip",
            "ftp://x/a",
            "javascript:alert(1)",
            "//evil.example/a",
            "https://user:pw@s3.example.com/a",
            "https:///a",
            "https://s3.example.com/a b",
            "http://127.0.0.1.evil.example/a",
        ] {
            assert!(loc(bad).is_err(), "{bad}");
        }
        assert!(parse_download_location(&resp(200, "zip", None), base).is_err());
        assert!(parse_download_location(&resp(302, "", None), base).is_err());
    }
}
