//! The JSON entries under `themis/`: the conference metadata and the chat history.
//!
//! Their shapes are **inferred** (no public schema; taken from the simulator's archives and the
//! guide's description of what an archive holds), so the checks are permissive: required fields
//! must be present and typed, optional ones typed when present (`null` counts as absent), and
//! unknown fields are allowed (callers keep the original JSON, so nothing is dropped).
//!
//! Conference metadata (`themis/metadata.json`):
//! `tenantId`, `conferenceId`, `startedAt` (RFC 3339) and `participants` (array) are required;
//! `endedAt` (RFC 3339) and `moderator` (`{ accountId?, email?, name? }`) are optional; each
//! participant is `{ accountId?, email?, name?, permissions?: string[] }` (guests have no account).
//!
//! Chat history (`themis/chat.json`): `{ "messages": [...] }`, each message with `sentAt`
//! (RFC 3339) and `text`, and optionally `senderAccountId` and `senderName`.

use core::fmt;

use crate::models::json_kind;
use serde_json::{Map, Value};

use crate::time::parse_rfc3339_ms;

/// Why a JSON entry does not have the expected shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentError {
    /// Where, e.g. `participants[0].email`; `$` for the whole document.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.reason)
    }
}

type Checked = Result<(), ContentError>;

fn fail(path: impl Into<String>, reason: impl Into<String>) -> ContentError {
    ContentError {
        path: path.into(),
        reason: reason.into(),
    }
}

fn join(base: &str, key: &str) -> String {
    if base.is_empty() {
        key.to_owned()
    } else {
        format!("{base}.{key}")
    }
}

/// What a field must be.
#[derive(Clone, Copy)]
enum Want {
    String,
    Time,
    Strings,
}

fn field(obj: &Map<String, Value>, base: &str, key: &str, want: Want, required: bool) -> Checked {
    let path = || join(base, key);
    let v = match obj.get(key) {
        None | Some(Value::Null) if required => return Err(fail(path(), "required")),
        None | Some(Value::Null) => return Ok(()),
        Some(v) => v,
    };
    match (want, v) {
        (Want::String, Value::String(_)) => Ok(()),
        (Want::Time, Value::String(s)) if parse_rfc3339_ms(s).is_some() => Ok(()),
        (Want::Time, Value::String(_)) => Err(fail(path(), "must be an RFC 3339 date-time")),
        (Want::Strings, Value::Array(items)) => match items.iter().position(|x| !x.is_string()) {
            Some(i) => Err(fail(format!("{}[{i}]", path()), "must be a string")),
            None => Ok(()),
        },
        (Want::Strings, other) => Err(fail(
            path(),
            format!("must be an array of strings, not {}", json_kind(other)),
        )),
        (_, other) => Err(fail(
            path(),
            format!("must be a string, not {}", json_kind(other)),
        )),
    }
}

fn object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, ContentError> {
    match v {
        Value::Object(m) => Ok(m),
        other => Err(fail(
            if path.is_empty() { "$" } else { path },
            format!("must be an object, not {}", json_kind(other)),
        )),
    }
}

fn array<'a>(obj: &'a Map<String, Value>, key: &str) -> Result<&'a [Value], ContentError> {
    match obj.get(key) {
        None | Some(Value::Null) => Err(fail(key, "required")),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(fail(
            key,
            format!("must be an array, not {}", json_kind(other)),
        )),
    }
}

fn parse(json: &[u8]) -> Result<Value, ContentError> {
    serde_json::from_slice(json).map_err(|e| fail("$", format!("not valid JSON ({e})")))
}

/// Checks the conference metadata JSON (see the module documentation for the shape).
///
/// # Errors
/// A [`ContentError`] naming the first field that is missing or mistyped, or `$` for text that
/// is not a JSON object.
pub fn check_metadata(json: &[u8]) -> Checked {
    let doc = parse(json)?;
    let m = object(&doc, "")?;
    field(m, "", "tenantId", Want::String, true)?;
    field(m, "", "conferenceId", Want::String, true)?;
    field(m, "", "startedAt", Want::Time, true)?;
    field(m, "", "endedAt", Want::Time, false)?;
    let person = |p: &Map<String, Value>, base: &str| -> Checked {
        for key in ["accountId", "email", "name"] {
            field(p, base, key, Want::String, false)?;
        }
        Ok(())
    };
    match m.get("moderator") {
        None | Some(Value::Null) => {}
        Some(v) => person(object(v, "moderator")?, "moderator")?,
    }
    for (i, p) in array(m, "participants")?.iter().enumerate() {
        let base = format!("participants[{i}]");
        let p = object(p, &base)?;
        person(p, &base)?;
        field(p, &base, "permissions", Want::Strings, false)?;
    }
    Ok(())
}

/// Checks the chat history JSON (see the module documentation for the shape).
///
/// # Errors
/// A [`ContentError`] naming the first field that is missing or mistyped, or `$` for text that
/// is not a JSON object.
pub fn check_chat(json: &[u8]) -> Checked {
    let doc = parse(json)?;
    let m = object(&doc, "")?;
    for (i, msg) in array(m, "messages")?.iter().enumerate() {
        let base = format!("messages[{i}]");
        let msg = object(msg, &base)?;
        field(msg, &base, "sentAt", Want::Time, true)?;
        field(msg, &base, "text", Want::String, true)?;
        field(msg, &base, "senderAccountId", Want::String, false)?;
        field(msg, &base, "senderName", Want::String, false)?;
    }
    Ok(())
}

// The TypeScript declarations of the shapes checked above (tsify; no wasm code): what
// `ArchiveInspector.metadata()` and `chat()` answer once `check_metadata` / `check_chat` passed.
// Keep them in step with the checks (same keys, required ones without `?`). Not in a submodule:
// a debug build links only the code units something references.

/// A person in the conference metadata. Shape inferred (no public schema): every field
/// optional; unknown fields are kept as sent.
#[cfg(target_arch = "wasm32")]
#[derive(tsify::Tsify)]
#[allow(dead_code)] // declarations only
#[serde(rename_all = "camelCase")]
pub struct ArchivePerson {
    #[tsify(optional, type = "string | null")]
    account_id: Option<String>,
    #[tsify(optional, type = "string | null")]
    email: Option<String>,
    #[tsify(optional, type = "string | null")]
    name: Option<String>,
    #[serde(flatten)]
    #[tsify(type = "Record<string, unknown>")]
    unknown: (),
}

/// A participant: a person with the permissions they had.
#[cfg(target_arch = "wasm32")]
#[derive(tsify::Tsify)]
#[allow(dead_code)] // declarations only
pub struct ArchiveParticipant {
    #[serde(flatten)]
    person: ArchivePerson,
    #[tsify(optional, type = "string[] | null")]
    permissions: Option<Vec<String>>,
}

/// The conference metadata (`themis/metadata.json`). Shape inferred: the fields below are
/// checked (required ones present, all typed, date-times RFC 3339); unknown fields are kept
/// as sent.
#[cfg(target_arch = "wasm32")]
#[derive(tsify::Tsify)]
#[allow(dead_code)] // declarations only
#[serde(rename_all = "camelCase")]
pub struct ConferenceMetadata {
    tenant_id: String,
    conference_id: String,
    /// RFC 3339.
    started_at: String,
    /// RFC 3339.
    #[tsify(optional, type = "string | null")]
    ended_at: Option<String>,
    #[tsify(optional, type = "ArchivePerson | null")]
    moderator: Option<ArchivePerson>,
    participants: Vec<ArchiveParticipant>,
    #[serde(flatten)]
    #[tsify(type = "Record<string, unknown>")]
    unknown: (),
}

/// One chat message. Shape inferred, as {@link ConferenceMetadata}.
#[cfg(target_arch = "wasm32")]
#[derive(tsify::Tsify)]
#[allow(dead_code)] // declarations only
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    /// RFC 3339.
    sent_at: String,
    text: String,
    #[tsify(optional, type = "string | null")]
    sender_account_id: Option<String>,
    #[tsify(optional, type = "string | null")]
    sender_name: Option<String>,
    #[serde(flatten)]
    #[tsify(type = "Record<string, unknown>")]
    unknown: (),
}

/// The chat history (`themis/chat.json`). Shape inferred.
#[cfg(target_arch = "wasm32")]
#[derive(tsify::Tsify)]
#[allow(dead_code)] // declarations only
pub struct ChatHistory {
    messages: Vec<ChatMessage>,
    #[serde(flatten)]
    #[tsify(type = "Record<string, unknown>")]
    unknown: (),
}

#[cfg(test)]
mod tests {
    use super::*;

    const METADATA: &str = r#"{
        "tenantId": "demo", "conferenceId": "conf_1",
        "startedAt": "2026-11-02T09:00:00Z", "endedAt": "2026-11-02T09:42:10.5+01:00",
        "moderator": {"accountId": "acc_1", "email": "max@example.invalid", "name": "Max"},
        "participants": [
            {"accountId": "acc_2", "email": "kim@example.invalid", "name": "Kim", "permissions": ["chat", "video"]},
            {"name": "Guest"}
        ],
        "recordingConsent": {"given": true}
    }"#;

    fn path_of(r: Checked) -> String {
        match r {
            Ok(()) => panic!("expected an error"),
            Err(e) => e.path,
        }
    }

    fn with(json: &str, edit: impl FnOnce(&mut Map<String, Value>)) -> Vec<u8> {
        let mut v: Value = serde_json::from_str(json).unwrap();
        edit(v.as_object_mut().unwrap());
        serde_json::to_vec(&v).unwrap()
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn metadata_accepts_the_known_shape_and_unknown_fields() {
        assert_eq!(check_metadata(METADATA.as_bytes()), Ok(()));
        let minimal = br#"{"tenantId":"t","conferenceId":"c","startedAt":"2026-01-01T00:00:00Z","participants":[],"endedAt":null,"moderator":null}"#;
        assert_eq!(check_metadata(minimal), Ok(()));
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn metadata_names_the_first_bad_field() {
        use serde_json::json;
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"[]".to_vec(), "$"),
            (b"{".to_vec(), "$"),
            (b"".to_vec(), "$"),
            (with(METADATA, |m| drop(m.remove("tenantId"))), "tenantId"),
            (
                with(METADATA, |m| {
                    drop(m.insert("conferenceId".into(), json!(7)))
                }),
                "conferenceId",
            ),
            (
                with(METADATA, |m| {
                    drop(m.insert("startedAt".into(), json!("yesterday")))
                }),
                "startedAt",
            ),
            (
                with(METADATA, |m| drop(m.insert("endedAt".into(), json!(false)))),
                "endedAt",
            ),
            (
                with(METADATA, |m| {
                    drop(m.insert("moderator".into(), json!("max")))
                }),
                "moderator",
            ),
            (
                with(METADATA, |m| {
                    drop(m.insert("moderator".into(), json!({"email": 1})))
                }),
                "moderator.email",
            ),
            (
                with(METADATA, |m| drop(m.remove("participants"))),
                "participants",
            ),
            (
                with(METADATA, |m| {
                    drop(m.insert("participants".into(), json!({})))
                }),
                "participants",
            ),
            (
                with(METADATA, |m| {
                    drop(m.insert("participants".into(), json!([{}, 3])))
                }),
                "participants[1]",
            ),
            (
                with(METADATA, |m| {
                    drop(m.insert("participants".into(), json!([{"permissions": "all"}])))
                }),
                "participants[0].permissions",
            ),
            (
                with(METADATA, |m| {
                    drop(m.insert("participants".into(), json!([{"permissions": ["a", 2]}])))
                }),
                "participants[0].permissions[1]",
            ),
        ];
        for (json, path) in cases {
            assert_eq!(
                path_of(check_metadata(&json)),
                path,
                "{}",
                String::from_utf8_lossy(&json)
            );
        }
    }

    #[test]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn chat_shape() {
        let ok = br#"{"messages":[{"sentAt":"2026-11-02T09:01:00Z","senderAccountId":"acc_1","senderName":"Max","text":"Hallo"},{"sentAt":"2026-11-02T09:01:05Z","text":"Hi","senderAccountId":null,"extra":1}],"more":true}"#;
        assert_eq!(check_chat(ok), Ok(()));
        assert_eq!(check_chat(br#"{"messages":[]}"#), Ok(()));
        let bad: [(&[u8], &str); 6] = [
            (br#"[]"#, "$"),
            (br#"{}"#, "messages"),
            (br#"{"messages":[1]}"#, "messages[0]"),
            (br#"{"messages":[{"text":"x"}]}"#, "messages[0].sentAt"),
            (br#"{"messages":[{"sentAt":"2026-11-02T09:01:00Z"}]}"#, "messages[0].text"),
            (br#"{"messages":[{"sentAt":"2026-11-02T09:01:00Z","text":"x","senderName":["a"]}]}"#, "messages[0].senderName"),
        ];
        for (json, path) in bad {
            assert_eq!(path_of(check_chat(json)), path);
        }
        let e = check_chat(br#"{"messages":[{"text":"x"}]}"#).unwrap_err();
        assert_eq!(e.to_string(), "messages[0].sentAt: required");
    }
}
