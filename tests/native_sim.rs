#![cfg(not(target_arch = "wasm32"))]
//! The SDK's client over a real HTTP transport against the simulator, and the simulator's own
//! HTTP behaviour (auth, faults, reset, error bodies). Every test starts its own simulator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use common::{
    add_fault, admin_key, advance_clock, api_requests, client, client_with, delete, get, mails,
    post_json, request, requests_to, start_sim,
};
use flexperto_sdk::models::users::{ListUsersQuery, NewUser};
use flexperto_sdk::{EnsuredExpert, Error};
use serde_json::{json, Value};

const USERS: &str = "/api/v2/users/users";

fn expert(email: &str) -> NewUser {
    NewUser {
        email: email.to_owned(),
        first_name: Some("Max".into()),
        last_name: Some("Mustermann".into()),
        ..Default::default()
    }
}

fn by_email(email: &str) -> ListUsersQuery {
    ListUsersQuery {
        email: Some(email.to_owned()),
        ..Default::default()
    }
}

/// A well-formed HS256 JWT that the simulator did not sign.
fn foreign_jwt() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = json!({ "sub": "usr_0001", "role": "admin", "jti": "key_0001", "iat": now, "exp": now + 3600 });
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let sig = URL_SAFE_NO_PAD.encode([7u8; 32]);
    format!("{header}.{payload}.{sig}")
}

fn api_error(r: Result<impl std::fmt::Debug, Error>) -> flexperto_sdk::ApiError {
    match r {
        Err(Error::Api(e)) => e,
        other => panic!("expected an ApiError, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// ensureExpert
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn ensure_expert_creates_then_finds() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let c = client(&base, &key);
    let email = "max.mustermann@example.invalid";

    let first = c.ensure_expert(&expert(email), true).await.unwrap();
    assert!(first.created && first.confirmed, "{first:?}");
    assert!(!first.account_id.is_empty());

    let second = c.ensure_expert(&expert(email), true).await.unwrap();
    assert_eq!(
        second,
        EnsuredExpert {
            account_id: first.account_id.clone(),
            created: false,
            confirmed: false,
        }
    );

    let list = c.list_users(&by_email(email)).await.unwrap();
    assert_eq!(list.items.len(), 1, "{}", list.raw);
    let u = &list.items[0];
    assert_eq!(u.id, first.account_id);
    assert_eq!(u.role.as_deref(), Some("expert"));
    assert_eq!(u.email_confirmed, Some(true));
    let raw: Value = serde_json::from_str(&u.raw).unwrap();
    assert_eq!(raw["emailConfirmed"], true);
    assert_eq!(raw["firstName"], "Max");

    let creates = requests_to(&base, "POST", USERS).await;
    assert_eq!(creates.len(), 1, "{creates:?}");
    assert_eq!(creates[0].0, 201);
    let query = creates[0].1.as_deref().unwrap_or_default();
    assert!(
        query.split('&').any(|p| p == "supressMails=true"),
        "{query}"
    );
    assert_eq!(mails(&base).await, Vec::<Value>::new());
}

#[tokio::test]
async fn ensure_expert_without_suppression_sends_the_mail() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let c = client(&base, &key);
    c.ensure_expert(&expert("mailme@example.invalid"), false)
        .await
        .unwrap();
    let creates = requests_to(&base, "POST", USERS).await;
    assert_eq!(creates[0].1.as_deref(), Some("supressMails=false"));
    let m = mails(&base).await;
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0]["to"], "mailme@example.invalid");
}

#[tokio::test]
async fn ensure_expert_race_creates_one_account() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let c = client(&base, &key);
    // Both lookups are held long enough that, normally, neither call has created the account when
    // they answer, so both create and one gets the 409. On a badly overloaded machine the second
    // lookup can arrive after the first call's create; then there is no race to observe, and the
    // scenario is repeated with a fresh address (the invariants are checked every time).
    let mut raced = false;
    for attempt in 0..5 {
        delete(&base, "/_sim/faults").await;
        delete(&base, "/_sim/requests").await;
        let email = format!("race{attempt}@example.invalid");
        add_fault(
            &base,
            json!({ "path": USERS, "method": "GET", "delayMs": 500, "count": 2 }),
        )
        .await;

        let e = expert(&email);
        let (a, b) = tokio::join!(c.ensure_expert(&e, true), c.ensure_expert(&e, true));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.account_id, b.account_id);
        assert_eq!(
            u8::from(a.created) + u8::from(b.created),
            1,
            "exactly one call creates: {a:?} {b:?}"
        );

        let list = c.list_users(&by_email(&email)).await.unwrap();
        assert_eq!(list.items.len(), 1, "{}", list.raw);
        assert_eq!(list.items[0].id, a.account_id);
        assert_eq!(list.items[0].email_confirmed, Some(true));

        let mut statuses: Vec<u16> = requests_to(&base, "POST", USERS)
            .await
            .into_iter()
            .map(|r| r.0)
            .collect();
        statuses.sort_unstable();
        if statuses == [201] {
            continue; // the lookups did not overlap: no race happened this time
        }
        assert_eq!(statuses, vec![201, 409]);
        raced = true;
        break;
    }
    assert!(raced, "the two calls never overlapped in 5 attempts");
}

#[tokio::test]
async fn ensure_expert_email_is_case_insensitive() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let c = client(&base, &key);
    let first = c
        .ensure_expert(&expert("max@example.invalid"), true)
        .await
        .unwrap();
    let second = c
        .ensure_expert(&expert("Max@Example.invalid"), true)
        .await
        .unwrap();
    assert_eq!(second.account_id, first.account_id);
    assert!(!second.created && !second.confirmed, "{second:?}");
    assert_eq!(requests_to(&base, "POST", USERS).await.len(), 1);
}

#[tokio::test]
async fn ensure_expert_conflicts_with_a_customer_account() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let c = client(&base, &key);
    let email = "customer@example.invalid";
    let customer = NewUser {
        email: email.into(),
        role: Some("customer".into()),
        ..Default::default()
    };
    let created = c.create_user(&customer, true).await.unwrap();
    assert_eq!(created.role.as_deref(), Some("customer"));

    let e = api_error(c.ensure_expert(&expert(email), true).await);
    assert_eq!((e.status, e.code), (409, "CONFLICT"), "{e:?}");

    let list = c.list_users(&by_email(email)).await.unwrap();
    assert_eq!(list.items.len(), 1, "{}", list.raw);
    assert_eq!(list.items[0].id, created.id);
    assert_eq!(list.items[0].role.as_deref(), Some("customer"));
}

#[tokio::test]
async fn ensure_expert_retries_its_create() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let c = client(&base, &key);
    add_fault(
        &base,
        json!({ "path": USERS, "method": "POST", "status": 503, "count": 1 }),
    )
    .await;
    let r = c
        .ensure_expert(&expert("retry@example.invalid"), true)
        .await
        .unwrap();
    assert!(r.created && r.confirmed, "{r:?}");
    let statuses: Vec<u16> = requests_to(&base, "POST", USERS)
        .await
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(statuses, vec![503, 201]);
}

#[tokio::test]
async fn ensure_expert_retries_a_create_that_timed_out() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let c = client_with(&base, &key, |cfg| cfg.timeout_ms = 300);
    // The first create is answered too late for the client, which gives up and retries it. If the
    // server still completes the first one, the retry conflicts and is resolved by a lookup; if it
    // drops it with the connection (what the simulator does today), the retry creates. Either way
    // the routine must end with exactly one account.
    add_fault(
        &base,
        json!({ "path": USERS, "method": "POST", "delayMs": 350, "count": 1 }),
    )
    .await;
    let email = "lost@example.invalid";
    let r = c.ensure_expert(&expert(email), true).await.unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let list = c.list_users(&by_email(email)).await.unwrap();
    assert_eq!(list.items.len(), 1, "{}", list.raw);
    assert_eq!(list.items[0].id, r.account_id);
    assert_eq!(list.items[0].email_confirmed, Some(true));
}

// ---------------------------------------------------------------------------------------------
// Retries, timeouts, network errors
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn rate_limit_honours_retry_after() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let c = client(&base, &key);
    add_fault(
        &base,
        json!({ "path": USERS, "method": "GET", "status": 429, "retryAfterSeconds": 1, "count": 1 }),
    )
    .await;
    let start = Instant::now();
    c.list_users(&ListUsersQuery::default()).await.unwrap();
    let elapsed = start.elapsed();
    let gets: Vec<u16> = requests_to(&base, "GET", USERS)
        .await
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(gets, vec![429, 200]);
    assert!(
        elapsed >= Duration::from_millis(900),
        "Retry-After: 1 not honoured: {elapsed:?}"
    );
}

#[tokio::test]
async fn unavailable_reads_are_retried_with_backoff() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let c = client(&base, &key);
    add_fault(
        &base,
        json!({ "path": USERS, "method": "GET", "status": 503, "count": 2 }),
    )
    .await;
    c.list_users(&ListUsersQuery::default()).await.unwrap();
    let gets: Vec<u16> = requests_to(&base, "GET", USERS)
        .await
        .into_iter()
        .map(|r| r.0)
        .collect();
    assert_eq!(gets, vec![503, 503, 200]);
}

#[tokio::test]
async fn create_user_is_not_retried_on_503() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let c = client(&base, &key);
    add_fault(
        &base,
        json!({ "path": USERS, "method": "POST", "status": 503, "count": 1 }),
    )
    .await;
    let e = api_error(c.create_user(&expert("once@example.invalid"), true).await);
    assert_eq!((e.status, e.code), (503, "SERVER_ERROR"), "{e:?}");
    assert_eq!(e.operation, "createUser");
    let posts = requests_to(&base, "POST", USERS).await;
    assert_eq!(posts.len(), 1, "{posts:?}");
}

#[tokio::test]
async fn slow_answers_time_out() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let c = client_with(&base, &key, |cfg| {
        cfg.timeout_ms = 200;
        cfg.max_retries = 1;
    });
    add_fault(
        &base,
        json!({ "path": USERS, "method": "GET", "delayMs": 2000, "count": 5 }),
    )
    .await;
    let err = c.list_users(&ListUsersQuery::default()).await.unwrap_err();
    assert!(matches!(err, Error::Network(_)), "{err:?}");
    assert_eq!(err.code(), "TIMEOUT");
    assert_eq!(err.name(), "NetworkError");
}

#[tokio::test]
async fn connection_refused_is_a_network_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let key = foreign_jwt();
    let c = client_with(&base, &key, |cfg| cfg.max_retries = 0);
    let err = c.list_users(&ListUsersQuery::default()).await.unwrap_err();
    assert!(matches!(err, Error::Network(_)), "{err:?}");
    assert_eq!(err.code(), "NETWORK");
    let text = format!("{err} {err:?}");
    assert!(!text.contains(&key), "{text}");
    assert!(!text.contains(&base), "the message carries the URL: {text}");
}

// ---------------------------------------------------------------------------------------------
// Authentication and authorization
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn foreign_key_is_unauthorized_and_never_echoed() {
    let (base, _sim) = start_sim().await;
    let key = foreign_jwt();
    let c = client(&base, &key);
    let err = c.list_users(&ListUsersQuery::default()).await.unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains(&key), "{text}");
    let e = api_error(Err::<(), _>(err));
    assert_eq!((e.status, e.code), (401, "UNAUTHORIZED"), "{e:?}");
    let body = e.body.expect("the sim sends a JSON error body");
    assert_eq!(body["code"], "UNAUTHORIZED");
    assert!(!body.to_string().contains(&key));
}

#[tokio::test]
async fn expired_key_is_unauthorized() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let c = client(&base, &key);
    c.list_users(&ListUsersQuery::default()).await.unwrap();
    // Two years (the key's validity) and one second.
    advance_clock(&base, 63_072_001).await;
    let e = api_error(c.list_users(&ListUsersQuery::default()).await);
    assert_eq!((e.status, e.code), (401, "UNAUTHORIZED"), "{e:?}");
}

#[tokio::test]
async fn expert_key_is_forbidden_on_admin_routes() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "expert").await;
    let c = client(&base, &key);
    let e = api_error(c.list_users(&ListUsersQuery::default()).await);
    assert_eq!((e.status, e.code), (403, "FORBIDDEN"), "{e:?}");
}

// ---------------------------------------------------------------------------------------------
// Input checked before any request
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn bad_input_is_refused_before_sending() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let c = client(&base, &key);

    let err = c
        .ensure_expert(&expert("not an e-mail"), true)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert_eq!(err.code(), "INVALID_EMAIL");

    let err = c.confirm_email("..").await.unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert_eq!(err.code(), "INVALID_ID");
    assert_eq!(api_requests(&base).await, Vec::<Value>::new());

    // A slash in an id is encoded: it never changes the path.
    let e = api_error(c.confirm_email("../x").await);
    assert_eq!((e.status, e.code), (404, "NOT_FOUND"), "{e:?}");
    let log = api_requests(&base).await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["method"], "POST");
    assert_eq!(log[0]["path"], "/api/v2/users/users/..%2Fx/confirm-email");
}

// ---------------------------------------------------------------------------------------------
// The simulator's own HTTP behaviour
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn sim_requires_a_key() {
    let (base, _sim) = start_sim().await;
    let url = format!("{base}{USERS}");
    let r = request("GET", &url, None, None).await;
    common::assert_error(&r, 401, "UNAUTHORIZED");
    for garbage in ["garbage", "a.b.c", "", &foreign_jwt()] {
        let r = request("GET", &url, Some(garbage), None).await;
        common::assert_error(&r, 401, "UNAUTHORIZED");
    }
    // The log never holds the key, only whether one was sent.
    let log = api_requests(&base).await;
    assert_eq!(log[0]["hasApiKey"], false);
    assert_eq!(log[1]["hasApiKey"], true);
}

#[tokio::test]
async fn sim_faults_are_consumed_after_count() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let url = format!("{base}{USERS}");
    add_fault(
        &base,
        json!({ "path": USERS, "method": "GET", "status": 503, "retryAfterSeconds": 7, "count": 2 }),
    )
    .await;
    let listed = get(&base, "/_sim/faults").await;
    assert_eq!(listed.json["items"][0]["count"], 2, "{}", listed.text);
    // Another method is not affected.
    let r = request("POST", &url, Some(&key), Some("{}")).await;
    assert_eq!(r.status, 422, "{}", r.text);
    for _ in 0..2 {
        let r = request("GET", &url, Some(&key), None).await;
        common::assert_error(&r, 503, "INJECTED_FAULT");
    }
    let r = request("GET", &url, Some(&key), None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(get(&base, "/_sim/faults").await.json["items"], json!([]));
    // Bad fault definitions are refused.
    for bad in [
        json!({ "path": "/_sim/reset" }),
        json!({ "path": "no-slash" }),
        json!({ "path": USERS, "count": 0 }),
        json!({ "path": USERS, "status": 99 }),
        json!({ "path": USERS, "unknown": 1 }),
    ] {
        let r = post_json(&base, "/_sim/faults", &bad).await;
        assert_eq!(r.status, 400, "{bad} -> {}", r.text);
    }
}

#[tokio::test]
async fn sim_reset_forgets_everything() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let c = client(&base, &key);
    c.create_user(&expert("gone@example.invalid"), false)
        .await
        .unwrap();
    add_fault(&base, json!({ "path": USERS, "status": 500, "count": 3 })).await;
    advance_clock(&base, 3600).await;
    assert_eq!(mails(&base).await.len(), 1);

    let r = post_json(&base, "/_sim/reset", &json!({})).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(get(&base, "/_sim/faults").await.json["items"], json!([]));
    assert_eq!(mails(&base).await, Vec::<Value>::new());
    assert_eq!(api_requests(&base).await, Vec::<Value>::new());
    assert_eq!(get(&base, "/_sim/clock").await.json["offsetSeconds"], 0);
    // Keys are forgotten too.
    let e = api_error(c.list_users(&ListUsersQuery::default()).await);
    assert_eq!(e.status, 401);
    let c = client(&base, &admin_key(&base, "admin").await);
    let list = c
        .list_users(&by_email("gone@example.invalid"))
        .await
        .unwrap();
    assert!(list.items.is_empty(), "{}", list.raw);
}

#[tokio::test]
async fn sim_unknown_route_is_a_json_404() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let r = request("GET", &format!("{base}/nope"), None, None).await;
    common::assert_error(&r, 404, "NOT_FOUND");
    let r = request("GET", &format!("{base}/api/v2/nope"), Some(&key), None).await;
    common::assert_error(&r, 404, "NOT_FOUND");
}

#[tokio::test]
async fn sim_malformed_json_is_a_400() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let r = request(
        "POST",
        &format!("{base}{USERS}"),
        Some(&key),
        Some("{not json"),
    )
    .await;
    common::assert_error(&r, 400, "MALFORMED_JSON");
}

#[tokio::test]
async fn sim_invalid_email_is_a_422() {
    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let url = format!("{base}{USERS}?supressMails=true");
    for body in [
        json!({ "email": "nope" }),
        json!({ "email": "a b@example.invalid" }),
        json!({ "email": 5 }),
        json!({}),
    ] {
        let r = request("POST", &url, Some(&key), Some(&body.to_string())).await;
        common::assert_error(&r, 422, "UNPROCESSABLE");
    }
    let r = request(
        "POST",
        &url,
        Some(&key),
        Some(&json!({ "email": "ok@example.invalid" }).to_string()),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // Uniqueness ignores case.
    let r = request(
        "POST",
        &url,
        Some(&key),
        Some(&json!({ "email": "OK@example.invalid" }).to_string()),
    )
    .await;
    common::assert_error(&r, 409, "CONFLICT");
}

// ---------------------------------------------------------------------------------------------
// Archives through the native client
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn archive_records_download_url_and_abandon() {
    use flexperto_sdk::archive::ArchiveStatus;
    use flexperto_sdk::models::archives::ListArchivesQuery;

    let (base, _sim) = start_sim().await;
    let key = admin_key(&base, "admin").await;
    let c = client(&base, &key);
    let made = post_json(&base, "/_sim/conferences", &json!({ "sizeBytes": 10_000 }))
        .await
        .json;
    let archive_id = made["archiveId"].as_str().unwrap().to_owned();
    let conference_id = made["conferenceId"].as_str().unwrap().to_owned();

    // Still packing: no download yet.
    let r = c.get_archive(&archive_id).await.unwrap();
    assert!(r.status.is_pending(), "{r:?}");
    assert_eq!(r.conference_id, conference_id);
    assert_eq!(
        api_error(c.archive_download_url(&archive_id).await).code,
        "CONFLICT"
    );

    advance_clock(&base, 3).await;
    let mut available = None;
    for _ in 0..100 {
        let r = c.get_archive(&archive_id).await.unwrap();
        if r.status == ArchiveStatus::Available {
            available = Some(r);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let r = available.expect("AVAILABLE");
    assert_eq!(r.sha256.as_deref().map(str::len), Some(64));

    let q = ListArchivesQuery {
        status: Some(ArchiveStatus::Available),
        limit: Some(10),
        offset: None,
    };
    let list = c.list_archives(&q).await.unwrap();
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.total, Some(1));

    let url = c.archive_download_url(&archive_id).await.unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(!url.starts_with(&base), "storage is its own origin: {url}");

    let abandoned = c.abandon_archive(&conference_id).await.unwrap();
    assert_eq!(abandoned.map(|r| r.status), Some(ArchiveStatus::Abandoned));
    for bad in ["..", "a/b", ""] {
        assert!(matches!(
            c.get_archive(bad).await,
            Err(Error::Validation(_))
        ));
    }
}
