//! Builders and parsers for the users endpoints: ListUsers, CreateUser, ConfirmEmail.

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::{build_path, invalid_response, ApiRequest, ApiResponse, Operation, RouteTable};
use crate::client::Client;
use crate::error::Error;
use crate::error::{ApiError, ValidationError};
use crate::models::is_valid_email;
use crate::models::users::{ListUsersQuery, NewUser, User, UserList, UserWire};
use crate::transport::Transport;

const ROLES: [&str; 3] = ["expert", "customer", "admin"];

fn check_role(role: &str) -> Result<(), ValidationError> {
    if ROLES.contains(&role) {
        Ok(())
    } else {
        Err(ValidationError::InvalidArgument {
            field: "role".into(),
            reason: "must be expert, customer or admin".into(),
        })
    }
}

fn check_email(email: &str) -> Result<(), ValidationError> {
    if is_valid_email(email) {
        Ok(())
    } else {
        Err(ValidationError::InvalidEmail {
            field: "email".into(),
        })
    }
}

/// `GET /api/v2/users/users?role=&email=&limit=&offset=` (ListUsers).
///
/// # Errors
/// [`ValidationError`] for a bad role, e-mail, or a limit outside 1..=100.
pub fn list_users(routes: &RouteTable, q: &ListUsersQuery) -> Result<ApiRequest, ValidationError> {
    if let Some(r) = &q.role {
        check_role(r)?;
    }
    if let Some(e) = &q.email {
        check_email(e)?;
    }
    if let Some(l) = q.limit {
        if !(1..=100).contains(&l) {
            return Err(ValidationError::InvalidArgument {
                field: "limit".into(),
                reason: "must be between 1 and 100".into(),
            });
        }
    }
    let path = build_path(
        routes,
        Operation::ListUsers,
        &[],
        &[
            ("limit", q.limit.map(|v| v.to_string())),
            ("offset", q.offset.map(|v| v.to_string())),
            ("role", q.role.clone()),
            ("email", q.email.clone()),
        ],
    )?;
    Ok(ApiRequest {
        operation: Operation::ListUsers,
        method: Operation::ListUsers.method(),
        path_and_query: path,
        body: None,
        idempotent: true,
    })
}

fn parse_user_raw(op: Operation, status: u16, raw: &RawValue) -> Result<User, ApiError> {
    let w: UserWire = serde_json::from_slice(raw.get().as_bytes())
        .map_err(|e| invalid_response(op, status, format!("user: {e}")))?;
    Ok(User {
        id: w.id,
        email: w.email,
        role: w.role,
        email_confirmed: w.email_confirmed,
        raw: raw.get().to_owned(),
    })
}

/// A ListUsers envelope read in one pass: `items` as raw JSON values, the other members (key, raw
/// value) in the order sent, and whether the body can be passed on as it is (`items` first, no
/// key twice).
struct Envelope<'a> {
    items: Option<Vec<&'a RawValue>>,
    rest: Vec<(String, &'a RawValue)>,
    as_sent: bool,
}

impl<'de> serde::Deserialize<'de> for Envelope<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> serde::de::Visitor<'de> for Members {
            type Value = Envelope<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Self::Value, A::Error> {
                let mut env = Envelope {
                    items: None,
                    rest: Vec::new(),
                    as_sent: true,
                };
                let mut first = true;
                while let Some(key) = m.next_key::<String>()? {
                    if key == "items" {
                        env.as_sent &= first && env.items.is_none();
                        env.items = Some(m.next_value()?);
                    } else {
                        let value: &RawValue = m.next_value()?;
                        match env.rest.iter_mut().find(|(k, _)| *k == key) {
                            // A key sent twice: the last value counts, as in JSON.parse.
                            Some(slot) => {
                                slot.1 = value;
                                env.as_sent = false;
                            }
                            None => env.rest.push((key, value)),
                        }
                    }
                    first = false;
                }
                Ok(env)
            }
        }
        d.deserialize_map(Members)
    }
}

/// Parses a ListUsers answer: `{ "items": [User...], ... }` (or a bare array, normalized to that).
/// The body is scanned once for the envelope and once per user; when `items` comes first (as the
/// API sends it) the page's JSON is the body itself, otherwise it is rebuilt with `items` first.
///
/// # Errors
/// [`ApiError`] with code `INVALID_RESPONSE` when the body is not such a list or an item lacks a
/// string `id` or `email`.
pub fn parse_list_users(resp: &ApiResponse) -> Result<UserList, ApiError> {
    let op = Operation::ListUsers;
    let bad = || invalid_response(op, resp.status, "expected {\"items\": [...]}");
    let first = resp.body.iter().find(|b| !b.is_ascii_whitespace());
    let env = if first == Some(&b'[') {
        Envelope {
            items: Some(serde_json::from_slice(&resp.body).map_err(|_| bad())?),
            rest: Vec::new(),
            as_sent: false,
        }
    } else {
        serde_json::from_slice::<Envelope<'_>>(&resp.body).map_err(|_| bad())?
    };
    let items = env.items.ok_or_else(bad)?;
    let users = items
        .iter()
        .map(|raw| parse_user_raw(op, resp.status, raw))
        .collect::<Result<Vec<_>, _>>()?;
    let raw = match std::str::from_utf8(&resp.body) {
        Ok(body) if env.as_sent => body.to_owned(),
        _ => {
            let mut raw = String::with_capacity(resp.body.len() + 16);
            raw.push_str("{\"items\":[");
            for (i, u) in users.iter().enumerate() {
                if i > 0 {
                    raw.push(',');
                }
                raw.push_str(&u.raw);
            }
            raw.push(']');
            for (k, v) in env.rest {
                raw.push(',');
                raw.push_str(&Value::String(k).to_string());
                raw.push(':');
                raw.push_str(v.get());
            }
            raw.push('}');
            raw
        }
    };
    Ok(UserList { items: users, raw })
}

/// `POST /api/v2/users/users?supressMails=true|false` (CreateUser). `suppress_param` is the query
/// parameter's name (the guide spells it `supressMails`).
///
/// # Errors
/// [`ValidationError`] for a bad e-mail or role, or extra fields that repeat a named one.
pub fn create_user(
    routes: &RouteTable,
    suppress_param: &str,
    user: &NewUser,
    suppress_mails: bool,
) -> Result<ApiRequest, ValidationError> {
    check_email(&user.email)?;
    let role = user.role.as_deref().unwrap_or("expert");
    check_role(role)?;
    let mut body = Map::new();
    body.insert("email".into(), Value::String(user.email.clone()));
    if let Some(f) = &user.first_name {
        body.insert("firstName".into(), Value::String(f.clone()));
    }
    if let Some(l) = &user.last_name {
        body.insert("lastName".into(), Value::String(l.clone()));
    }
    body.insert("role".into(), Value::String(role.into()));
    for (k, v) in &user.extra {
        if body.contains_key(k) {
            return Err(ValidationError::InvalidArgument {
                field: k.clone(),
                reason: "given twice".into(),
            });
        }
        body.insert(k.clone(), v.clone());
    }
    let path = build_path(
        routes,
        Operation::CreateUser,
        &[],
        &[(suppress_param, Some(suppress_mails.to_string()))],
    )?;
    Ok(ApiRequest {
        operation: Operation::CreateUser,
        method: Operation::CreateUser.method(),
        path_and_query: path,
        body: Some(Value::Object(body).to_string()),
        idempotent: false,
    })
}

/// `POST /api/v2/users/users/{userId}/confirm-email` (ConfirmEmail). Confirming twice is harmless,
/// so the request is marked idempotent.
///
/// # Errors
/// [`ValidationError::InvalidId`] for a bad id.
pub fn confirm_email(routes: &RouteTable, user_id: &str) -> Result<ApiRequest, ValidationError> {
    confirm_email_with(routes, "supressMails", user_id, None)
}

/// [`confirm_email`] with the mail-suppressing query parameter `suppress_param` (the guide's
/// `supressMails`, "available on every endpoint that would cause an email to be sent out"),
/// sent only when `suppress_mails` is given.
///
/// # Errors
/// [`ValidationError::InvalidId`] for a bad id.
pub fn confirm_email_with(
    routes: &RouteTable,
    suppress_param: &str,
    user_id: &str,
    suppress_mails: Option<bool>,
) -> Result<ApiRequest, ValidationError> {
    let query = suppress_mails.map(|s| (suppress_param, Some(s.to_string())));
    let path = build_path(
        routes,
        Operation::ConfirmEmail,
        &[("userId", user_id)],
        query.as_slice(),
    )?;
    Ok(ApiRequest {
        operation: Operation::ConfirmEmail,
        method: Operation::ConfirmEmail.method(),
        path_and_query: path,
        body: None,
        idempotent: true,
    })
}

/// Parses a single user (CreateUser and ConfirmEmail answers). An empty body is accepted for
/// ConfirmEmail (`Ok(None)`), as some servers answer 204.
///
/// # Errors
/// [`ApiError`] `INVALID_RESPONSE` when the body is not a user object.
pub fn parse_user(op: Operation, resp: &ApiResponse) -> Result<Option<User>, ApiError> {
    if resp.body.iter().all(u8::is_ascii_whitespace) && op == Operation::ConfirmEmail {
        return Ok(None);
    }
    let raw: &RawValue = serde_json::from_slice(&resp.body)
        .map_err(|_| invalid_response(op, resp.status, "not JSON"))?;
    parse_user_raw(op, resp.status, raw).map(Some)
}

/// Parses a created user: CreateUser always answers with the account.
///
/// # Errors
/// `INVALID_RESPONSE`, also for an empty body.
pub fn parse_created_user(resp: &ApiResponse) -> Result<User, ApiError> {
    parse_user(Operation::CreateUser, resp)?
        .ok_or_else(|| invalid_response(Operation::CreateUser, resp.status, "empty body"))
}

/// The `Client` methods of this resource: build, send through [`Client::execute`], parse.
impl<T: Transport> Client<T> {
    /// ListUsers: one page of users.
    ///
    /// # Errors
    /// [`Error::Validation`] before sending; otherwise as [`Client::execute`], and `INVALID_RESPONSE`.
    pub async fn list_users(&self, q: &ListUsersQuery) -> Result<UserList, Error> {
        let req = list_users(&self.config().routes, q)?;
        let resp = self.execute(&req).await?;
        Ok(parse_list_users(&resp)?)
    }

    /// CreateUser, with mails suppressed unless `suppress_mails` is false.
    ///
    /// # Errors
    /// As [`Client::list_users`]; a taken e-mail is an [`ApiError`] with code `CONFLICT`.
    pub async fn create_user(&self, user: &NewUser, suppress_mails: bool) -> Result<User, Error> {
        let req = create_user(
            &self.config().routes,
            &self.config().suppress_mails_param,
            user,
            suppress_mails,
        )?;
        self.send_create(req).await
    }

    pub(crate) async fn send_create(&self, req: ApiRequest) -> Result<User, Error> {
        let resp = self.execute(&req).await?;
        Ok(parse_created_user(&resp)?)
    }

    /// ConfirmEmail for the account `user_id`. Returns the account when the API sends it back.
    ///
    /// # Errors
    /// As [`Client::list_users`].
    pub async fn confirm_email(&self, user_id: &str) -> Result<Option<User>, Error> {
        self.confirm_email_with(user_id, None).await
    }

    /// ConfirmEmail with the guide's `supressMails` query parameter (`None`: not sent).
    ///
    /// # Errors
    /// As [`Client::list_users`].
    pub async fn confirm_email_with(
        &self,
        user_id: &str,
        suppress_mails: Option<bool>,
    ) -> Result<Option<User>, Error> {
        let req = confirm_email_with(
            &self.config().routes,
            &self.config().suppress_mails_param,
            user_id,
            suppress_mails,
        )?;
        let resp = self.execute(&req).await?;
        Ok(parse_user(Operation::ConfirmEmail, &resp)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> ApiResponse {
        ApiResponse {
            status: 200,
            body: body.as_bytes().to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn list_users_request() {
        let q = ListUsersQuery {
            role: Some("expert".into()),
            email: Some("max.mustermann@example.invalid".into()),
            limit: Some(1),
            offset: None,
        };
        let r = list_users(&RouteTable::default(), &q).unwrap();
        assert_eq!(r.method.as_str(), "GET");
        assert_eq!(
            r.path_and_query,
            "/api/v2/users/users?limit=1&role=expert&email=max.mustermann%40example.invalid"
        );
        assert!(r.idempotent && r.body.is_none());
        for bad in [
            ListUsersQuery {
                limit: Some(0),
                ..Default::default()
            },
            ListUsersQuery {
                limit: Some(101),
                ..Default::default()
            },
            ListUsersQuery {
                role: Some("root".into()),
                ..Default::default()
            },
            ListUsersQuery {
                email: Some("nope".into()),
                ..Default::default()
            },
        ] {
            assert!(list_users(&RouteTable::default(), &bad).is_err());
        }
    }

    #[test]
    fn list_users_parse_keeps_unknown_fields() {
        let l = parse_list_users(&ok(
            r#"{"total":1,"items":[{"id":"u1","email":"a@b.de","role":"expert","x":{"y":[1]}}],"next":null}"#,
        ))
        .unwrap();
        assert_eq!(l.items[0].id, "u1");
        let v: Value = serde_json::from_str(&l.raw).unwrap();
        assert_eq!(v["items"][0]["x"]["y"][0], 1);
        assert_eq!(v["total"], 1);
        assert!(v["next"].is_null());
        let bare = parse_list_users(&ok(r#"[{"id":7,"email":"a@b.de"}]"#)).unwrap();
        assert_eq!(bare.items[0].id, "7");
        assert_eq!(bare.raw, r#"{"items":[{"id":7,"email":"a@b.de"}]}"#);
    }

    #[test]
    fn list_users_page_is_the_body_when_items_come_first() {
        let body = r#"{ "items": [{"id":"u1","email":"a@b.de"}], "total": 1, "limit": 1 }"#;
        assert_eq!(parse_list_users(&ok(body)).unwrap().raw, body);
        // Not first, or a key twice: rebuilt with items first, the last value of a key counting.
        let l = parse_list_users(&ok(
            r#"{"limit":1,"items":[{"id":"u1","email":"a@b.de"}],"total":1,"limit":2}"#,
        ))
        .unwrap();
        assert_eq!(
            l.raw,
            r#"{"items":[{"id":"u1","email":"a@b.de"}],"limit":2,"total":1}"#
        );
        let twice = parse_list_users(&ok(
            r#"{"items":[],"items":[{"id":"u2","email":"c@d.de"}]}"#,
        ))
        .unwrap();
        assert_eq!(twice.items[0].id, "u2");
        assert_eq!(twice.raw, r#"{"items":[{"id":"u2","email":"c@d.de"}]}"#);
    }

    #[test]
    fn list_users_parse_checks_required_fields() {
        for body in [
            "",
            "null",
            "{}",
            r#"{"items":[{"email":"a@b.de"}]}"#,
            r#"{"items":[{"id":"1"}]}"#,
            r#"{"items":[{"id":"1","email":5}]}"#,
            r#"{"items":[{"id":"1","email":"a@b.de","emailConfirmed":"yes"}]}"#,
            r#"{"items":"x"}"#,
            r#"{"total":1}"#,
            r#"[{"id":"1","email":"a@b.de"},]"#,
        ] {
            let e = parse_list_users(&ok(body)).unwrap_err();
            assert_eq!(e.code, "INVALID_RESPONSE", "{body}");
        }
    }

    #[test]
    fn create_user_request() {
        let mut extra = Map::new();
        extra.insert("locale".into(), Value::String("de".into()));
        let u = NewUser {
            email: "max@example.invalid".into(),
            first_name: Some("Max".into()),
            last_name: Some("Mustermann".into()),
            role: None,
            extra,
        };
        let r = create_user(&RouteTable::default(), "supressMails", &u, true).unwrap();
        assert_eq!(r.path_and_query, "/api/v2/users/users?supressMails=true");
        assert!(!r.idempotent);
        let body: Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
        assert_eq!(body["role"], "expert");
        assert_eq!(body["firstName"], "Max");
        assert_eq!(body["locale"], "de");
        let mut dup = u.clone();
        dup.extra
            .insert("email".into(), Value::String("x@y.de".into()));
        assert!(create_user(&RouteTable::default(), "supressMails", &dup, true).is_err());
        let bad = NewUser {
            email: "not-an-email".into(),
            ..Default::default()
        };
        assert_eq!(
            create_user(&RouteTable::default(), "supressMails", &bad, true)
                .unwrap_err()
                .code(),
            "INVALID_EMAIL"
        );
    }

    #[test]
    fn confirm_email_request_and_parse() {
        let r = confirm_email(&RouteTable::default(), "u/1").unwrap();
        assert_eq!(r.path_and_query, "/api/v2/users/users/u%2F1/confirm-email");
        assert_eq!(parse_user(Operation::ConfirmEmail, &ok("")).unwrap(), None);
        let u = parse_user(
            Operation::ConfirmEmail,
            &ok(r#"{"id":"1","email":"a@b.de","emailConfirmed":true}"#),
        )
        .unwrap()
        .unwrap();
        assert_eq!(u.email_confirmed, Some(true));
        assert!(parse_user(Operation::CreateUser, &ok("")).is_err());
    }
}
