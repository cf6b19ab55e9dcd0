#![cfg(not(target_arch = "wasm32"))]
//! The guide's rules kept exactly, and inferences that bend instead of break (issue 12, items 2
//! and 3), through the SDK's client against the simulator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{admin_key, client, requests_to, start_sim, start_sim_with};
use flexperto_sdk::client::EnsureExpertOptions;
use flexperto_sdk::models::meetings::{
    LinkFields, MeetingRequest, Participant, MISSING_MODERATOR_LINK, MISSING_PARTICIPANT_LINKS,
};
use flexperto_sdk::models::users::NewUser;
use flexperto_sim::SimConfig;

const MEETINGS: &str = "/api/v2/communication/meetings/meetings";
const USERS: &str = "/api/v2/users/users";

fn expert(email: &str) -> NewUser {
    NewUser {
        email: email.to_owned(),
        first_name: Some("Erika".into()),
        last_name: Some("Expert".into()),
        ..Default::default()
    }
}

fn meeting(expert_id: &str) -> MeetingRequest {
    MeetingRequest {
        moderator_account_id: expert_id.to_owned(),
        participants: vec![Participant {
            email: Some("kunde@example.invalid".into()),
            ..Default::default()
        }],
        ..Default::default()
    }
}

async fn sim_with_link_fields(
    names: [&str; 3],
) -> (String, tokio::task::JoinHandle<std::io::Result<()>>) {
    start_sim_with(SimConfig {
        meeting_link_fields: Some(names.map(str::to_owned)),
        ..Default::default()
    })
    .await
}

/// A tenant whose meeting reply spells the link fields otherwise: the meeting it reserved is
/// never an error; known spellings are found, unknown ones come back marked missing with the
/// record, and the caller's names find them. One POST each: nothing is retried.
#[tokio::test]
async fn reserve_meeting_bends_to_renamed_link_fields() {
    // camelCase, as a generated contract might have it.
    let (base, _sim) =
        sim_with_link_fields(["moderatorLink", "participantLinks", "joinLink"]).await;
    let c = client(&base, &admin_key(&base, "admin").await);
    let id = c
        .ensure_expert(&expert("camel@example.invalid"), true)
        .await
        .unwrap()
        .account_id;
    let m = c.reserve_meeting(&meeting(&id)).await.unwrap();
    assert!(m.id.starts_with("mtg_"), "{m:?}");
    assert!(m.missing.is_empty(), "{m:?}");
    let url = m.moderator_link.unwrap().url;
    assert_eq!(reqwest::get(&url).await.unwrap().status(), 200);
    assert_eq!(m.participant_links.len(), 1);
    // Without a window asked for, the reply's is used (the simulator's default: 24 hours).
    let (nb, vu) = (m.not_before_ms.unwrap(), m.valid_until_ms.unwrap());
    assert_eq!(vu - nb, 24 * 3600 * 1000);

    // Names the SDK cannot guess.
    let (base, _sim) = sim_with_link_fields(["hostEntry", "guests", "door"]).await;
    let c = client(&base, &admin_key(&base, "admin").await);
    let id = c
        .ensure_expert(&expert("odd@example.invalid"), true)
        .await
        .unwrap()
        .account_id;
    let m = c.reserve_meeting(&meeting(&id)).await.unwrap();
    assert!(m.id.starts_with("mtg_"));
    assert_eq!(m.moderator_link, None);
    assert!(m.participant_links.is_empty());
    assert_eq!(
        m.missing,
        [MISSING_MODERATOR_LINK, MISSING_PARTICIPANT_LINKS]
    );
    let record: serde_json::Value = serde_json::from_str(&m.raw).unwrap();
    assert_eq!(record["id"], m.id.as_str());
    assert!(record["hostEntry"].is_string() && record["guests"][0]["door"].is_string());
    let given = MeetingRequest {
        link_fields: LinkFields {
            moderator_link: Some("hostEntry".into()),
            participant_links: Some("guests".into()),
            participant_link: Some("door".into()),
        },
        ..meeting(&id)
    };
    let m = c.reserve_meeting(&given).await.unwrap();
    assert!(m.missing.is_empty());
    assert_eq!(
        reqwest::get(&m.participant_links[0].link.url)
            .await
            .unwrap()
            .status(),
        200
    );
    let posts = requests_to(&base, "POST", MEETINGS).await;
    assert_eq!(posts.len(), 2, "one POST per reservation: {posts:?}");
}

/// The guide: "In case the Expert is already registered ... store the id ... and stop the
/// routine." ensureExpert confirms the e-mail only of an account it created, or when asked.
#[tokio::test]
async fn ensure_expert_stops_when_the_expert_is_found() {
    let (base, _sim) = start_sim().await;
    let c = client(&base, &admin_key(&base, "admin").await);
    let email = "found@example.invalid";
    let made = c.create_user(&expert(email), true).await.unwrap();
    assert_eq!(made.email_confirmed, Some(false));
    let confirm_path = format!("{USERS}/{}/confirm-email", made.id);

    let found = c.ensure_expert(&expert(email), true).await.unwrap();
    assert_eq!((found.created, found.confirmed), (false, false));
    assert!(requests_to(&base, "POST", &confirm_path).await.is_empty());

    let asked = EnsureExpertOptions {
        confirm_existing: true,
        ..Default::default()
    };
    let confirmed = c.ensure_expert_with(&expert(email), asked).await.unwrap();
    assert_eq!((confirmed.created, confirmed.confirmed), (false, true));
    assert_eq!(requests_to(&base, "POST", &confirm_path).await.len(), 1);

    // An account it creates is confirmed, with the same mail suppression as the create.
    let new = c
        .ensure_expert(&expert("new@example.invalid"), true)
        .await
        .unwrap();
    assert_eq!((new.created, new.confirmed), (true, true));
    let path = format!("{USERS}/{}/confirm-email", new.account_id);
    assert_eq!(
        requests_to(&base, "POST", &path).await,
        [(200, Some("supressMails=true".to_owned()))]
    );
}

/// `supressMails` (the guide's spelling) on every call that can make the platform send mail:
/// CreateUser, ConfirmEmail, the reservation; sent as given, never when not given (but for
/// CreateUser, whose default the guide recommends).
#[tokio::test]
async fn supress_mails_reaches_every_call_that_can_send_mail() {
    let (base, _sim) = start_sim().await;
    let c = client(&base, &admin_key(&base, "admin").await);
    let u = c
        .create_user(&expert("mails@example.invalid"), false)
        .await
        .unwrap();
    c.confirm_email_with(&u.id, Some(false)).await.unwrap();
    c.confirm_email(&u.id).await.unwrap();
    let path = format!("{USERS}/{}/confirm-email", u.id);
    assert_eq!(
        requests_to(&base, "POST", &path).await,
        [(200, Some("supressMails=false".to_owned())), (200, None)]
    );
    let quiet = MeetingRequest {
        suppress_mails: Some(true),
        ..meeting(&u.id)
    };
    c.reserve_meeting(&quiet).await.unwrap();
    c.reserve_meeting(&meeting(&u.id)).await.unwrap();
    assert_eq!(
        requests_to(&base, "POST", MEETINGS).await,
        [(201, Some("supressMails=true".to_owned())), (201, None)]
    );
    assert_eq!(
        requests_to(&base, "POST", USERS).await,
        [(201, Some("supressMails=false".to_owned()))]
    );
}
