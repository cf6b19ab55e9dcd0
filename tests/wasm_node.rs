//! wasm-bindgen tests, run in Node by `wasm-bindgen-test-runner`: the fetch transport and the JS
//! bindings against the simulator whose URL is in `process.env.FLEXPERTO_SIM_URL`.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use flexperto_sdk::config::{ClientConfig, Target};
use flexperto_sdk::models::users::{ListUsersQuery, NewUser};
use flexperto_sdk::transport::fetch::FetchTransport;
use flexperto_sdk::wasm::JsClient;
use flexperto_sdk::Client;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

fn sim_url() -> String {
    let f =
        Function::new_no_args("return (globalThis.process && process.env.FLEXPERTO_SIM_URL) || ''");
    let url = f.call0(&JsValue::UNDEFINED).unwrap().as_string().unwrap();
    assert!(
        !url.is_empty(),
        "FLEXPERTO_SIM_URL is not set: run these tests through scripts/test.sh"
    );
    url
}

async fn admin_key(url: &str) -> String {
    let f = Function::new_with_args(
        "url",
        "return fetch(url + '/_sim/api-keys', { method: 'POST', body: '{\"role\":\"admin\"}' })\
         .then(r => r.json()).then(j => j.apiKey)",
    );
    let p: Promise = f
        .call1(&JsValue::UNDEFINED, &JsValue::from_str(url))
        .unwrap()
        .dyn_into()
        .unwrap();
    JsFuture::from(p).await.unwrap().as_string().unwrap()
}

#[wasm_bindgen_test]
async fn fetch_transport_provisions_an_expert() {
    let url = sim_url();
    let key = admin_key(&url).await;
    let client = Client::new(
        ClientConfig::new(Target::BaseUrl(&url), &key).unwrap(),
        FetchTransport::default(),
    );
    let email = format!("wasm.{}@example.invalid", js_sys::Date::now() as u64);
    let expert = NewUser {
        email: email.clone(),
        first_name: Some("Wasm".into()),
        ..Default::default()
    };
    let first = client.ensure_expert(&expert, true).await.unwrap();
    let again = client.ensure_expert(&expert, true).await.unwrap();
    assert!(first.created && first.confirmed);
    assert_eq!(again.account_id, first.account_id);
    assert!(!again.created && !again.confirmed);
    let page = client
        .list_users(&ListUsersQuery {
            email: Some(email),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].email_confirmed, Some(true));
}

#[wasm_bindgen_test]
async fn api_errors_are_typed_and_never_carry_the_key() {
    let url = sim_url();
    let key = admin_key(&url).await;
    let (signed, _) = key.rsplit_once('.').unwrap();
    let forged = format!("{signed}.Zm9yZ2VkLXNpZ25hdHVyZQ");
    let client = Client::new(
        ClientConfig::new(Target::BaseUrl(&url), &forged).unwrap(),
        FetchTransport::default(),
    );
    let err = client
        .list_users(&ListUsersQuery::default())
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.status()), ("UNAUTHORIZED", Some(401)));
    assert!(!format!("{err:?}{err}").contains(&forged));
}

#[wasm_bindgen_test]
async fn connection_refused_is_a_network_error() {
    let client = Client::new(
        {
            let mut c = ClientConfig::new(
                Target::BaseUrl("http://127.0.0.1:9"),
                &admin_key(&sim_url()).await,
            )
            .unwrap();
            c.max_retries = 0;
            c
        },
        FetchTransport::default(),
    );
    let err = client
        .list_users(&ListUsersQuery::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "NETWORK");
}

#[wasm_bindgen_test]
fn constructor_errors_are_js_errors_with_name_and_code() {
    let opts =
        js_sys::JSON::parse(r#"{"tenant":"evil.com/x","environment":"test","apiKey":"a.b.c"}"#)
            .unwrap();
    let err = JsClient::new(opts).err().unwrap();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(Reflect::get(&err, &"name".into()).unwrap(), "ConfigError");
    assert_eq!(
        Reflect::get(&err, &"code".into()).unwrap(),
        "INVALID_TENANT"
    );
    assert!(flexperto_sdk::wasm::is_flexperto_error(err));
    let opts = js_sys::JSON::parse(r#"{"baseUrl":"http://example.com","apiKey":"a.b.c"}"#).unwrap();
    let err = JsClient::new(opts).err().unwrap();
    assert_eq!(
        Reflect::get(&err, &"code".into()).unwrap(),
        "INSECURE_BASE_URL"
    );
    assert!(!flexperto_sdk::wasm::is_flexperto_error(
        js_sys::Error::new("plain").into()
    ));
}

#[wasm_bindgen_test]
fn webhook_verifier_binding_verifies_parts() {
    use flexperto_sdk::wasm::{
        wasm_memory, webhook_result_address, webhook_verify_parts, WebhookVerifier,
    };
    let secret = "F40mfum7pZC8DtdgGOYSijx26blP0HLs";
    let opts = js_sys::JSON::parse(&format!(
        r#"{{"secrets":["{secret}"],"allowedIps":["127.0.0.1/32"]}}"#
    ))
    .unwrap();
    let mut v = WebhookVerifier::new(opts).unwrap();
    let body = br#"{"topic":"archive.available","data":{"archive_id":"a1","archive_subject":{"conference_id":"c1"},"x":1}}"#;
    let path = format!("/cb/{secret}");
    let ct = Some("application/json; charset=utf-8".to_owned());
    webhook_verify_parts(&mut v, &path, "::ffff:127.0.0.1", ct.clone(), None, body).unwrap();
    // The result as the JavaScript side reads it: words at webhookResultAddress, text they point into.
    let mem: js_sys::WebAssembly::Memory = wasm_memory().unchecked_into();
    let words = js_sys::Uint32Array::new(&mem.buffer());
    let bytes = js_sys::Uint8Array::new(&mem.buffer());
    let r = webhook_result_address(&v) / 4;
    let word = |i: u32| words.get_index(r + i);
    let field = |i: u32| -> Option<String> {
        let (a, b) = (word(4 + 2 * i), word(5 + 2 * i));
        (a != u32::MAX).then(|| {
            let at = word(0);
            String::from_utf8(bytes.slice(at + a, at + b).to_vec()).unwrap()
        })
    };
    assert_eq!(word(2), 0, "secret index");
    assert_eq!(word(3), 1, "all ASCII");
    assert_eq!(field(0).as_deref(), Some("archive.available"));
    assert_eq!(field(1), None, "no notification id");
    assert_eq!(field(2).as_deref(), Some("a1"));
    assert_eq!(field(3).as_deref(), Some("c1"));
    assert_eq!(field(4), None, "no checksum");
    assert_eq!(field(5).as_deref(), Some("127.0.0.1"));
    assert_eq!(field(6).as_deref(), Some("archive.available:a1"));
    let err = webhook_verify_parts(&mut v, &path, "198.51.100.1", ct, None, body)
        .err()
        .unwrap();
    assert_eq!(
        Reflect::get(&err, &"code".into()).unwrap(),
        "IP_NOT_ALLOWED"
    );
    assert_eq!(Reflect::get(&err, &"name".into()).unwrap(), "WebhookError");
}
