//! flexperto-sim: a local simulator of the Flexperto API.
//!
//! It implements what the guide documents (see `sim/README.md` for the routes and the `/_sim/`
//! control API), checks the `api-key` header, keeps a clock that tests can advance, and injects
//! faults on request.

mod archives;
mod auth;
mod control;
mod meetings;
mod settings;
mod state;
mod storage;
mod time;
mod tokens;
mod users;
mod webhooks;
mod zipgen;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, on, post, MethodFilter, MethodRouter};
use axum::serve::ListenerExt;
use axum::Router;
use serde_json::json;

pub use state::{Shared, SimConfig};

/// One API route of the simulator: its method, its path as the contract writes it (OpenAPI
/// placeholders, which axum captures as they are), and its handler. Each resource module lists
/// its own (`api()`), beside the handlers; the router and [`api_routes`] are made from them.
pub(crate) struct ApiRoute {
    method: &'static str,
    path: &'static str,
    handler: MethodRouter<Shared>,
}

/// The route `method path` to `handler`.
pub(crate) fn api_route<H, T>(method: &'static str, path: &'static str, handler: H) -> ApiRoute
where
    H: axum::handler::Handler<T, Shared>,
    T: 'static,
{
    let filter = match method {
        "GET" => MethodFilter::GET,
        "POST" => MethodFilter::POST,
        "PATCH" => MethodFilter::PATCH,
        _ => MethodFilter::DELETE,
    };
    ApiRoute {
        method,
        path,
        handler: on(filter, handler),
    }
}

/// Every API route, from the resource modules' tables.
fn api_table() -> Vec<ApiRoute> {
    let mut routes = vec![api_route("GET", "/api/v2/spec", spec)];
    for module in [
        users::api,
        meetings::api,
        settings::api,
        tokens::api,
        webhooks::api,
        archives::api,
    ] {
        routes.extend(module());
    }
    routes
}

/// The API routes the simulator implements, `(method, path)` with the contract's placeholders:
/// the ones its router serves. A test holds them against the contract in `spec/`.
pub fn api_routes() -> Vec<(&'static str, &'static str)> {
    api_table().iter().map(|r| (r.method, r.path)).collect()
}

/// The contract, served at `/api/v2/spec`.
pub const SPEC: &str = include_str!("../../spec/flexperto-v2.json");

/// Where `--spec-variant` registers webhooks (API-NOTES.md: "seen in other public versions").
pub const VARIANT_WEBHOOK_PATH: &str =
    "/api/v2/communication/notificationssubscriptions/notificationssubscriptions/webhook";

const CONTRACT_WEBHOOK_PATH: &str = "/api/v2/communication/subscriptions/subscriptions/webhook";

/// The document `--spec-variant` serves: the contract with the webhook registration moved to
/// [`VARIANT_WEBHOOK_PATH`] under an operationId of the tenant's own (so that a client finds
/// the move by the path's shape, as it would on a real tenant).
pub fn variant_spec() -> String {
    let Ok(serde_json::Value::Object(mut doc)) = serde_json::from_str::<serde_json::Value>(SPEC)
    else {
        return SPEC.to_owned();
    };
    let base = doc
        .get("basePath")
        .and_then(|b| b.as_str())
        .unwrap_or("")
        .to_owned();
    if let Some(serde_json::Value::Object(paths)) = doc.get_mut("paths") {
        let from = CONTRACT_WEBHOOK_PATH.strip_prefix(base.as_str());
        let to = VARIANT_WEBHOOK_PATH.strip_prefix(base.as_str());
        if let (Some(from), Some(to)) = (from, to) {
            if let Some(mut item) = paths.remove(from) {
                if let Some(post) = item.get_mut("post").and_then(|p| p.as_object_mut()) {
                    post.insert(
                        "operationId".into(),
                        "notificationsSubscriptionsCreateWebhook".into(),
                    );
                    post.remove("x-sdk-alternative-paths");
                }
                paths.insert(to.to_owned(), item);
            }
        }
    }
    serde_json::Value::Object(doc).to_string()
}

/// An error answer in the simulator's error body format: `{ status, code, message }`.
pub(crate) fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let body = json!({ "status": status.as_u16(), "code": code, "message": message.into() });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// A JSON answer.
pub(crate) fn json_response(status: StatusCode, value: &serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

/// Builds the API router over fresh state. Without a storage origin (see [`serve`]) archive
/// downloads answer 503.
pub fn router(config: SimConfig) -> Router {
    api_router(Arc::new(state::Sim::new(config)))
}

fn api_router(shared: Shared) -> Router {
    let webhook_path = if shared.config.spec_variant {
        VARIANT_WEBHOOK_PATH
    } else {
        CONTRACT_WEBHOOK_PATH
    };
    let mut router = Router::new();
    for r in api_table() {
        let path = if r.path == CONTRACT_WEBHOOK_PATH {
            webhook_path
        } else {
            r.path
        };
        router = router.route(path, r.handler);
    }
    router
        .route("/join/{token}", get(meetings::join))
        .route("/_sim/conferences", post(archives::end_conference))
        .route("/_sim/archives/abandons", get(archives::abandons))
        .merge(control::routes())
        .merge(storage::control_routes())
        .merge(webhooks::control_routes())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), front))
        .with_state(shared)
}

/// Serves the simulator on `listener` until the process ends, with its storage origin (where
/// archive downloads redirect to) on another port of the same address, chosen by the system.
/// `GET /_sim/storage` tells its URL.
///
/// # Errors
/// I/O errors of the listeners.
pub async fn serve(listener: tokio::net::TcpListener, config: SimConfig) -> std::io::Result<()> {
    let ip = listener.local_addr()?.ip();
    let storage = tokio::net::TcpListener::bind((ip, 0)).await?;
    serve_with_storage(listener, storage, config).await
}

/// Like [`serve`], with the storage origin on a listener of the caller's choice.
///
/// # Errors
/// I/O errors of the listeners.
pub async fn serve_with_storage(
    api: tokio::net::TcpListener,
    storage: tokio::net::TcpListener,
    config: SimConfig,
) -> std::io::Result<()> {
    let shared: Shared = Arc::new(state::Sim::new(config));
    let _ = shared.storage_addr.set(storage.local_addr()?);
    archives::ensure_ticker(&shared);
    let api_app = api_router(shared.clone());
    let storage_app = storage::router(shared);
    // TCP_NODELAY on every connection: without it, a response whose headers and body leave in
    // two writes waits for the client's delayed ACK (40 ms on Linux) before its body; claims of
    // small archives then took 40 ms longer each, which no real server makes a client wait.
    let nodelay = |tcp: &mut tokio::net::TcpStream| {
        let _ = tcp.set_nodelay(true);
    };
    let api = async move { axum::serve(api.tap_io(nodelay), api_app).await };
    let storage = async move { axum::serve(storage.tap_io(nodelay), storage_app).await };
    tokio::try_join!(api, storage).map(|_| ())
}

async fn spec(State(sim): State<Shared>) -> Response {
    static VARIANT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let body = if sim.config.spec_variant {
        VARIANT.get_or_init(variant_spec).as_str()
    } else {
        SPEC
    };
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such route")
}

/// CORS headers of an answer: any origin, and the response headers a page may read.
pub(crate) fn cors(resp: &mut Response, expose: &'static str) {
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(expose),
    );
}

/// The answer to a CORS preflight: these methods and request headers, cached for 10 minutes.
pub(crate) fn preflight(methods: &'static str, headers: &'static str) -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static(methods),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(headers),
    );
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    resp
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a page may read of the API's answers.
const API_EXPOSED: &str = "retry-after, location, content-length";

/// Runs before every route: CORS, the request log, injected faults, and authentication.
async fn front(State(sim): State<Shared>, mut req: Request, next: Next) -> Response {
    if req.method() == Method::OPTIONS && req.uri().path().starts_with("/api/") {
        let mut resp = preflight(
            "GET, POST, PATCH, DELETE",
            "api-key, content-type, accept, range",
        );
        cors(&mut resp, API_EXPOSED);
        return resp;
    }
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().map(str::to_owned);
    let has_api_key = req.headers().contains_key("api-key");
    let is_api = path.starts_with("/api/") && path != "/api/v2/spec";

    let fault = if path.starts_with("/_sim/") {
        None
    } else {
        sim.take_fault(&method, &path)
    };
    let mut resp = 'answer: {
        if let Some(f) = fault {
            if f.delay_ms > 0 {
                tokio::time::sleep(Duration::from_millis(f.delay_ms)).await;
            }
            if let Some(status) = f.status {
                let code = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                let mut r = error(code, "INJECTED_FAULT", "fault injected by the simulator");
                if let Some(s) = f.retry_after_seconds {
                    if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                        r.headers_mut().insert(header::RETRY_AFTER, v);
                    }
                }
                break 'answer r;
            }
        }
        if is_api {
            match auth::authenticate(&sim, req.headers()) {
                Ok(caller) => {
                    req.extensions_mut().insert(caller);
                }
                Err(r) => break 'answer r,
            }
        }
        next.run(req).await
    };
    if path.starts_with("/_sim/") {
        // No CORS on the control API: a web page must not be able to mint keys or reset state.
        return resp;
    }
    cors(&mut resp, API_EXPOSED);
    sim.log_request(state::RequestLog {
        method,
        path,
        query,
        has_api_key,
        status: resp.status().as_u16(),
        at: sim.now_secs(),
    });
    resp
}

/// The body of a request as JSON, or a 400 answer.
pub(crate) fn parse_json(body: &[u8]) -> Result<serde_json::Value, Response> {
    serde_json::from_slice(body).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            "MALFORMED_JSON",
            format!("body is not JSON: {e}"),
        )
    })
}

/// The body of an admin-only request as a JSON object: 403 for a non-admin caller, 400 for
/// malformed JSON, 422 for anything but an object.
pub(crate) fn admin_json_object(
    caller: &auth::Caller,
    body: &[u8],
) -> Result<serde_json::Map<String, serde_json::Value>, Response> {
    caller.require_admin()?;
    match parse_json(body)? {
        serde_json::Value::Object(m) => Ok(m),
        _ => Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "UNPROCESSABLE",
            "body must be a JSON object",
        )),
    }
}

/// An empty body.
pub(crate) fn no_content() -> Response {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .body(Body::empty())
        .unwrap_or_default()
}
