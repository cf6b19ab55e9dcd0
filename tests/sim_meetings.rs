#![cfg(not(target_arch = "wasm32"))]
//! The simulator's meetings (reserveMeeting and the `/join/{token}` links), platform settings and
//! API-token routes over raw HTTP. Every test starts its own simulator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{
    admin_key, advance_clock, api_requests, assert_error, get, post_json, request, start_sim, Raw,
};
use serde_json::{json, Value};

const MEETINGS: &str = "/api/v2/communication/meetings/meetings";
const SETTINGS: &str = "/api/v2/platform/settings";
const TOKENS: &str = "/api/v2/auth/tokens";
const USERS: &str = "/api/v2/users/users";

/// The simulator clock, Unix seconds.
async fn sim_now(base: &str) -> i64 {
    get(base, "/_sim/clock").await.json["unixSeconds"]
        .as_i64()
        .unwrap()
}

/// Unix seconds as RFC 3339 UTC (the tests' own formatter, independent of the simulator's).
fn iso(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

async fn call(base: &str, method: &str, path: &str, key: &str, body: Option<&Value>) -> Raw {
    let text = body.map(Value::to_string);
    request(method, &format!("{base}{path}"), Some(key), text.as_deref()).await
}

/// Creates a user through the users API and returns its id.
async fn create_user(base: &str, key: &str, email: &str, role: &str) -> String {
    let r = call(
        base,
        "POST",
        &format!("{USERS}?supressMails=true"),
        key,
        Some(&json!({ "email": email, "role": role, "firstName": "Erika", "lastName": "Expert" })),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.json["id"].as_str().unwrap().to_owned()
}

async fn reserve(base: &str, key: &str, body: &Value) -> Raw {
    call(base, "POST", MEETINGS, key, Some(body)).await
}

/// `GET` of a join link (a full URL), without a key.
async fn join(url: &str) -> Raw {
    request("GET", url, None, None).await
}

/// The link with the character at `i` of its token replaced by a different one.
fn tamper(link: &str, i: usize) -> String {
    let (prefix, token) = link.rsplit_once('/').unwrap();
    let mut chars: Vec<char> = token.chars().collect();
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    format!("{prefix}/{}", chars.into_iter().collect::<String>())
}

// ---------------------------------------------------------------------------------------------
// Meetings
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn reserve_and_join_within_the_window() {
    let (base, _sim) = start_sim().await;
    let admin = admin_key(&base, "admin").await;
    let expert = create_user(&base, &admin, "erika@example.invalid", "expert").await;
    let now = sim_now(&base).await;
    let body = json!({
        "flexperto_account_id": expert,
        "subject": "Beratung <Depot> & mehr",
        "participants": [
            { "email": "kunde@example.invalid", "firstName": "Karl", "lastName": "Kunde", "locale": "de" },
            { "email": "anna@example.invalid" },
            {}
        ],
        "access_link_not_before": iso(now + 3600),
        "access_link_valid_until": iso(now + 7200),
        "crm_ref": { "case": 42 }
    });
    let r = reserve(&base, &admin, &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let m = &r.json;
    assert!(m["id"].as_str().unwrap().starts_with("mtg_"), "{m}");
    assert_eq!(m["flexperto_account_id"], expert);
    assert_eq!(m["subject"], "Beratung <Depot> & mehr");
    assert_eq!(m["access_link_not_before"], iso(now + 3600));
    assert_eq!(m["access_link_valid_until"], iso(now + 7200));
    assert_eq!(
        m["crm_ref"],
        json!({ "case": 42 }),
        "unknown fields are echoed"
    );
    assert!(m["createdAt"].is_string());
    let links = m["participant_links"].as_array().unwrap();
    assert_eq!(links.len(), 3);
    assert_eq!(links[0]["email"], "kunde@example.invalid");
    assert_eq!(links[0]["firstName"], "Karl");
    assert_eq!(links[0]["lastName"], "Kunde");
    assert_eq!(links[1]["email"], "anna@example.invalid");
    assert!(links[2].get("email").is_none(), "{}", links[2]);
    let moderator = m["moderator_link"].as_str().unwrap().to_owned();
    assert!(
        moderator.starts_with(&format!("{base}/join/")),
        "{moderator}"
    );
    let mut all: Vec<String> = links
        .iter()
        .map(|l| l["link"].as_str().unwrap().to_owned())
        .collect();
    all.push(moderator.clone());
    let distinct: std::collections::BTreeSet<&String> = all.iter().collect();
    assert_eq!(distinct.len(), 4, "every seat has its own link: {all:?}");

    // Before not_before.
    let r = join(&moderator).await;
    assert_error(&r, 410, "GONE");
    // Inside the window.
    advance_clock(&base, 3600).await;
    let r = join(&moderator).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.content_type.as_deref(), Some("text/html; charset=utf-8"));
    assert!(r.text.contains("as moderator"), "{}", r.text);
    assert!(
        r.text.contains("Beratung &lt;Depot&gt; &amp; mehr"),
        "{}",
        r.text
    );
    assert!(!r.text.contains("<Depot>"), "{}", r.text);
    let r = join(&all[0]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("as Karl Kunde"), "{}", r.text);
    assert!(!r.text.contains("moderator<"), "{}", r.text);
    let r = join(&all[1]).await;
    assert!(r.text.contains("as anna@example.invalid"), "{}", r.text);
    let r = join(&all[2]).await;
    assert!(r.text.contains("as guest"), "{}", r.text);
    // The last second of the window, then valid_until itself.
    advance_clock(&base, 3599).await;
    assert_eq!(join(&all[0]).await.status, 200);
    advance_clock(&base, 1).await;
    let r = join(&all[0]).await;
    assert_error(&r, 410, "GONE");
    assert_error(&join(&moderator).await, 410, "GONE");

    // Join requests are logged like API requests, without a key.
    let log = api_requests(&base).await;
    let joins: Vec<&Value> = log
        .iter()
        .filter(|e| e["path"].as_str().unwrap().starts_with("/join/"))
        .collect();
    let statuses: Vec<u64> = joins
        .iter()
        .map(|e| e["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, vec![410, 200, 200, 200, 200, 200, 410, 410]);
    assert!(joins
        .iter()
        .all(|e| e["method"] == "GET" && e["hasApiKey"] == false));
}

#[tokio::test]
async fn default_not_before_is_now() {
    let (base, _sim) = start_sim().await;
    let admin = admin_key(&base, "admin").await;
    let expert = create_user(&base, &admin, "now@example.invalid", "expert").await;
    let now = sim_now(&base).await;
    let r = reserve(
        &base,
        &admin,
        &json!({
            "flexperto_account_id": expert,
            "participants": [{}],
            // An offset and a fraction: normalized to UTC, whole seconds.
            "access_link_valid_until": format!("{}.750+00:00", &iso(now + 600)[..19]),
        }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let nb = r.json["access_link_not_before"].as_str().unwrap();
    assert!(
        [iso(now), iso(now + 1)].contains(&nb.to_owned()),
        "{nb} vs {}",
        iso(now)
    );
    assert_eq!(r.json["access_link_valid_until"], iso(now + 600));
    assert!(r.json.get("subject").is_none(), "{}", r.text);
    let link = r.json["participant_links"][0]["link"].as_str().unwrap();
    let j = join(link).await;
    assert_eq!(j.status, 200, "{}", j.text);
    assert!(j.text.contains("Joining meeting as guest"), "{}", j.text);
}

#[tokio::test]
async fn tampered_links_are_forbidden() {
    let (base, _sim) = start_sim().await;
    let admin = admin_key(&base, "admin").await;
    let expert = create_user(&base, &admin, "tamper@example.invalid", "expert").await;
    let now = sim_now(&base).await;
    let r = reserve(
        &base,
        &admin,
        &json!({
            "flexperto_account_id": expert,
            "participants": [{ "email": "p@example.invalid" }],
            "access_link_valid_until": iso(now + 3600),
        }),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let moderator = r.json["moderator_link"].as_str().unwrap().to_owned();
    let participant = r.json["participant_links"][0]["link"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(moderator, participant);
    assert_eq!(join(&moderator).await.status, 200);
    let p = join(&participant).await;
    assert_eq!(p.status, 200);
    assert!(p.text.contains("as p@example.invalid"), "{}", p.text);
    assert!(!p.text.contains("moderator"), "{}", p.text);

    let token = moderator.rsplit_once('/').unwrap().1.to_owned();
    let dot = token.find('.').unwrap();
    let mut bad_links = vec![
        tamper(&moderator, 0),               // payload part
        tamper(&moderator, dot / 2),         // payload part
        tamper(&moderator, dot + 1),         // signature part
        tamper(&moderator, token.len() - 2), // signature part
        format!("{base}/join/{}", &token[..dot]),
        format!("{base}/join/{}.", &token[..dot]),
        format!("{base}/join/{}", &token[dot + 1..]),
        format!("{base}/join/{token}.x"),
        format!("{base}/join/garbage"),
        format!("{base}/join/%7B%7D.AAAA"),
    ];
    // The participant's signature on the moderator's payload.
    let ptoken = participant.rsplit_once('/').unwrap().1;
    let psig = ptoken.split_once('.').unwrap().1;
    bad_links.push(format!("{base}/join/{}.{psig}", &token[..dot]));
    for link in bad_links {
        let r = join(&link).await;
        assert_error(&r, 403, "FORBIDDEN");
        assert_eq!(r.json["message"], "invalid link");
    }
    // After a reset the meeting is gone, so its (well-signed) links no longer work.
    assert_eq!(
        post_json(&base, "/_sim/reset", &json!({})).await.status,
        204
    );
    assert_error(&join(&moderator).await, 403, "FORBIDDEN");
}

#[tokio::test]
async fn reservation_validation() {
    let (base, _sim) = start_sim().await;
    let admin = admin_key(&base, "admin").await;
    let expert = create_user(&base, &admin, "valid@example.invalid", "expert").await;
    let customer = create_user(&base, &admin, "cust@example.invalid", "customer").await;
    let now = sim_now(&base).await;
    let ok = json!({
        "flexperto_account_id": expert,
        "participants": [{}],
        "access_link_not_before": iso(now + 60),
        "access_link_valid_until": iso(now + 3600),
    });
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        b[k] = v;
        b
    };
    let without = |k: &str| {
        let mut b = ok.clone();
        b.as_object_mut().unwrap().remove(k);
        b
    };
    let too_many: Vec<Value> = (0..51).map(|_| json!({})).collect();
    let cases = [
        (
            with("access_link_valid_until", json!(iso(now + 30))),
            "access_link_valid_until",
        ),
        (
            with("access_link_valid_until", json!(iso(now + 60))),
            "access_link_valid_until",
        ),
        (
            {
                let mut b = with("access_link_not_before", json!(iso(now - 7200)));
                b["access_link_valid_until"] = json!(iso(now - 60));
                b
            },
            "access_link_valid_until",
        ),
        (
            with("access_link_valid_until", json!("tomorrow")),
            "access_link_valid_until",
        ),
        (
            with("access_link_not_before", json!(1_700_000_000)),
            "access_link_not_before",
        ),
        (
            with("participants", json!([{ "email": "not an address" }])),
            "email",
        ),
        (
            with("participants", json!([{}, { "email": "x@nodot" }])),
            "participants[1].email",
        ),
        (
            with("participants", json!([{ "firstName": 5 }])),
            "firstName",
        ),
        (with("participants", json!(["a"])), "participants[0]"),
        (with("participants", json!({})), "participants"),
        (with("participants", Value::Array(too_many)), "participants"),
        (without("participants"), "participants"),
        (with("subject", json!(7)), "subject"),
        (
            with("flexperto_account_id", json!("usr_unknown")),
            "flexperto_account_id",
        ),
        (
            with("flexperto_account_id", json!(customer)),
            "flexperto_account_id",
        ),
        (
            with("flexperto_account_id", json!(5)),
            "flexperto_account_id",
        ),
        (without("flexperto_account_id"), "flexperto_account_id"),
    ];
    for (body, field) in cases {
        let r = reserve(&base, &admin, &body).await;
        assert_error(&r, 422, "UNPROCESSABLE");
        let msg = r.json["message"].as_str().unwrap();
        assert!(msg.contains(field), "{body} -> {msg}");
    }
    let r = call(&base, "POST", MEETINGS, &admin, None).await;
    assert_eq!(r.status, 400, "{}", r.text);
    let r = request(
        "POST",
        &format!("{base}{MEETINGS}"),
        Some(&admin),
        Some("{nope"),
    )
    .await;
    assert_error(&r, 400, "MALFORMED_JSON");
    assert_error(
        &reserve(&base, &admin, &json!([])).await,
        422,
        "UNPROCESSABLE",
    );
    // 50 participants are fine; so is an empty list.
    let fifty: Vec<Value> = (0..50).map(|_| json!({})).collect();
    let r = reserve(&base, &admin, &with("participants", Value::Array(fifty))).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["participant_links"].as_array().unwrap().len(), 50);
    let r = reserve(&base, &admin, &with("participants", json!([]))).await;
    assert_eq!(r.status, 201, "{}", r.text);
}

#[tokio::test]
async fn who_may_reserve() {
    let (base, _sim) = start_sim().await;
    let admin = admin_key(&base, "admin").await;
    let now = sim_now(&base).await;
    let body = |id: &str| {
        json!({
            "flexperto_account_id": id,
            "participants": [{}],
            "access_link_valid_until": iso(now + 3600),
        })
    };
    // An expert key (its account is an expert) for itself, and for another expert.
    let r = post_json(&base, "/_sim/api-keys", &json!({ "role": "expert" })).await;
    let (expert_key, expert_id) = (
        r.json["apiKey"].as_str().unwrap().to_owned(),
        r.json["userId"].as_str().unwrap().to_owned(),
    );
    let other = create_user(&base, &admin, "other@example.invalid", "expert").await;
    let r = reserve(&base, &expert_key, &body(&expert_id)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["flexperto_account_id"], expert_id);
    let r = reserve(&base, &expert_key, &body(&other)).await;
    assert_error(&r, 403, "FORBIDDEN");
    // An admin for any expert.
    let r = reserve(&base, &admin, &body(&expert_id)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    // A customer key never.
    let customer_key = admin_key(&base, "customer").await;
    let r = reserve(&base, &customer_key, &body(&other)).await;
    assert_error(&r, 403, "FORBIDDEN");
    // No key.
    let r = request(
        "POST",
        &format!("{base}{MEETINGS}"),
        None,
        Some(&body(&other).to_string()),
    )
    .await;
    assert_error(&r, 401, "UNAUTHORIZED");
}

// ---------------------------------------------------------------------------------------------
// Platform settings
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn platform_settings() {
    let (base, _sim) = start_sim().await;
    let admin = admin_key(&base, "admin").await;
    let all_off = json!({
        "enableAutomaticRecording": false,
        "enableRecordingVerbalConsent": false,
        "enableAutomaticArchivingOfConferences": false,
    });
    let r = call(&base, "GET", SETTINGS, &admin, None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json, all_off);

    let r = call(
        &base,
        "PATCH",
        SETTINGS,
        &admin,
        Some(&json!({ "enableAutomaticRecording": true, "somethingElse": 1 })),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let rec_on = json!({
        "enableAutomaticRecording": true,
        "enableRecordingVerbalConsent": false,
        "enableAutomaticArchivingOfConferences": false,
    });
    assert_eq!(r.json, rec_on);

    // Both recording modes: refused, nothing changes (not even the archiving switch).
    let r = call(
        &base,
        "PATCH",
        SETTINGS,
        &admin,
        Some(&json!({ "enableRecordingVerbalConsent": true, "enableAutomaticArchivingOfConferences": true })),
    )
    .await;
    assert_error(&r, 422, "RECORDING_MODES_EXCLUSIVE");
    let r = call(
        &base,
        "PATCH",
        SETTINGS,
        &admin,
        Some(&json!({ "enableAutomaticRecording": true, "enableRecordingVerbalConsent": true })),
    )
    .await;
    assert_error(&r, 422, "RECORDING_MODES_EXCLUSIVE");
    assert_eq!(
        call(&base, "GET", SETTINGS, &admin, None).await.json,
        rec_on
    );

    // Switching modes in one request is fine.
    let r = call(
        &base,
        "PATCH",
        SETTINGS,
        &admin,
        Some(&json!({ "enableAutomaticRecording": false, "enableRecordingVerbalConsent": true })),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["enableRecordingVerbalConsent"], true);
    assert_eq!(r.json["enableAutomaticRecording"], false);

    for bad in [
        json!({ "enableAutomaticRecording": "true" }),
        json!({ "enableAutomaticArchivingOfConferences": 1 }),
        json!({ "enableRecordingVerbalConsent": null }),
        json!([true]),
    ] {
        let r = call(&base, "PATCH", SETTINGS, &admin, Some(&bad)).await;
        assert_error(&r, 422, "UNPROCESSABLE");
    }
    let r = request(
        "PATCH",
        &format!("{base}{SETTINGS}"),
        Some(&admin),
        Some("nope"),
    )
    .await;
    assert_error(&r, 400, "MALFORMED_JSON");

    let expert = admin_key(&base, "expert").await;
    assert_error(
        &call(&base, "GET", SETTINGS, &expert, None).await,
        403,
        "FORBIDDEN",
    );
    assert_error(
        &call(
            &base,
            "PATCH",
            SETTINGS,
            &expert,
            Some(&json!({ "enableAutomaticRecording": false })),
        )
        .await,
        403,
        "FORBIDDEN",
    );

    // A reset restores the defaults.
    assert_eq!(
        post_json(&base, "/_sim/reset", &json!({})).await.status,
        204
    );
    let admin = admin_key(&base, "admin").await;
    assert_eq!(
        call(&base, "GET", SETTINGS, &admin, None).await.json,
        all_off
    );
}

// ---------------------------------------------------------------------------------------------
// API tokens
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn tokens_create_list_revoke() {
    let (base, _sim) = start_sim().await;
    let r = post_json(&base, "/_sim/api-keys", &json!({})).await;
    let (admin, admin_id, sim_key_id) = (
        r.json["apiKey"].as_str().unwrap().to_owned(),
        r.json["userId"].as_str().unwrap().to_owned(),
        r.json["keyId"].as_str().unwrap().to_owned(),
    );
    let now = sim_now(&base).await;

    let r = call(
        &base,
        "POST",
        TOKENS,
        &admin,
        Some(&json!({ "name": "CRM backend" })),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let created = r.json.clone();
    let id = created["id"].as_str().unwrap().to_owned();
    let token = created["token"].as_str().unwrap().to_owned();
    assert_eq!(created["name"], "CRM backend");
    assert_eq!(created["userId"], admin_id, "defaults to the caller");
    let expires = created["expiresAt"].as_str().unwrap().to_owned();
    assert!(
        [iso(now + 63_072_000), iso(now + 63_072_001)].contains(&expires),
        "{expires}"
    );
    assert_eq!(token.split('.').count(), 3, "a JWT");

    // The new key works, e.g. for ListUsers.
    let r = call(&base, "GET", USERS, &token, None).await;
    assert_eq!(r.status, 200, "{}", r.text);

    // A key for an expert, with an expiry.
    let expert = create_user(&base, &admin, "tok@example.invalid", "expert").await;
    let r = call(
        &base,
        "POST",
        TOKENS,
        &admin,
        Some(&json!({ "name": "erika", "userId": expert, "expiresAt": iso(now + 86_400) })),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["userId"], expert);
    assert_eq!(r.json["expiresAt"], iso(now + 86_400));
    let expert_token = r.json["token"].as_str().unwrap().to_owned();
    let expert_token_id = r.json["id"].as_str().unwrap().to_owned();
    // It acts as the expert: not an admin.
    assert_error(
        &call(&base, "GET", USERS, &expert_token, None).await,
        403,
        "FORBIDDEN",
    );
    assert_error(
        &call(&base, "GET", TOKENS, &expert_token, None).await,
        403,
        "FORBIDDEN",
    );

    // The list: every key, oldest first, never a secret.
    let r = call(&base, "GET", TOKENS, &token, None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let items = r.json["items"].as_array().unwrap();
    let ids: Vec<&str> = items.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![sim_key_id.as_str(), &id, &expert_token_id]);
    assert_eq!(items[0]["name"], "sim key");
    assert_eq!(items[1]["name"], "CRM backend");
    for t in items {
        assert!(t.get("token").is_none(), "{t}");
        assert!(t.get("revokedAt").is_none(), "{t}");
        assert!(
            t["createdAt"].is_string() && t["expiresAt"].is_string(),
            "{t}"
        );
    }
    assert!(!r.text.contains(&token) && !r.text.contains(&admin));

    // Revoke: that key's next call is a 401; repeating is harmless.
    let r = call(&base, "DELETE", &format!("{TOKENS}/{id}"), &admin, None).await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_error(
        &call(&base, "GET", USERS, &token, None).await,
        401,
        "UNAUTHORIZED",
    );
    let r = call(&base, "DELETE", &format!("{TOKENS}/{id}"), &admin, None).await;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = call(&base, "GET", TOKENS, &admin, None).await;
    let revoked = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id.as_str())
        .unwrap()
        .clone();
    assert!(revoked["revokedAt"].is_string(), "{revoked}");

    // Unknown id.
    let r = call(&base, "DELETE", &format!("{TOKENS}/key_nope"), &admin, None).await;
    assert_error(&r, 404, "NOT_FOUND");

    // A key may revoke itself; its next call fails.
    let r = call(
        &base,
        "DELETE",
        &format!("{TOKENS}/{sim_key_id}"),
        &admin,
        None,
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_error(
        &call(&base, "GET", TOKENS, &admin, None).await,
        401,
        "UNAUTHORIZED",
    );
}

#[tokio::test]
async fn token_validation() {
    let (base, _sim) = start_sim().await;
    let admin = admin_key(&base, "admin").await;
    let now = sim_now(&base).await;
    let cases = [
        json!({}),
        json!({ "name": "" }),
        json!({ "name": "x".repeat(101) }),
        json!({ "name": 5 }),
        json!({ "name": "k", "expiresAt": iso(now + 63_072_000 + 3600) }),
        json!({ "name": "k", "expiresAt": iso(now - 1) }),
        json!({ "name": "k", "expiresAt": "next year" }),
        json!({ "name": "k", "userId": "usr_nobody" }),
        json!({ "name": "k", "userId": 3 }),
        json!("k"),
    ];
    for body in cases {
        let r = call(&base, "POST", TOKENS, &admin, Some(&body)).await;
        assert_error(&r, 422, "UNPROCESSABLE");
    }
    let r = call(
        &base,
        "POST",
        TOKENS,
        &admin,
        Some(&json!({ "name": "é".repeat(100) })),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let expert = admin_key(&base, "expert").await;
    let r = call(
        &base,
        "POST",
        TOKENS,
        &expert,
        Some(&json!({ "name": "k" })),
    )
    .await;
    assert_error(&r, 403, "FORBIDDEN");
    let r = call(&base, "DELETE", &format!("{TOKENS}/key_x"), &expert, None).await;
    assert_error(&r, 403, "FORBIDDEN");
}

#[tokio::test]
async fn created_token_expires_on_the_sim_clock() {
    let (base, _sim) = start_sim().await;
    let admin = admin_key(&base, "admin").await;
    let now = sim_now(&base).await;
    let r = call(
        &base,
        "POST",
        TOKENS,
        &admin,
        Some(&json!({ "name": "short", "expiresAt": iso(now + 120) })),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let token = r.json["token"].as_str().unwrap().to_owned();
    assert_eq!(call(&base, "GET", USERS, &token, None).await.status, 200);
    advance_clock(&base, 120).await;
    assert_error(
        &call(&base, "GET", USERS, &token, None).await,
        401,
        "UNAUTHORIZED",
    );
}
