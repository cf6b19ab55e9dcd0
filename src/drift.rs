//! Drift between the SDK's written contract (`spec/flexperto-v2.json`) and a tenant's own
//! OpenAPI 2.0 document (`GET /api/v2/spec`). Sans-IO: two documents in, a [`DriftReport`] out.
//!
//! Operations are matched by method and path (placeholder names ignored). A contract operation
//! the tenant lacks is looked for elsewhere in the tenant's document, first by `operationId`,
//! then by a path of the same shape; when found, the finding carries the `routes` override
//! that points the SDK at it (checked with [`RouteTable::set`], the rule every override obeys).
//! Matched operations are compared field by field: required fields added or removed, type
//! changes, and query parameters added, removed or renamed.

use crate::config::StrMap;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::api::{Operation, RouteTable};

/// The contract shipped with the SDK: `spec/flexperto-v2.json` without its prose (`build.rs`).
pub const CONTRACT: &str = include_str!(concat!(env!("OUT_DIR"), "/contract.json"));

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "options", "head", "patch"];
const PARAM_LOCATIONS: [&str; 5] = ["query", "header", "path", "formData", "body"];
/// How deep `$ref`s and nested schemas are followed (documents may be cyclic).
const MAX_DEPTH: usize = 12;

/// A document that is not valid OpenAPI 2.0.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{document} spec is not a valid OpenAPI 2.0 document: at {pointer}: {reason}")]
pub struct SpecError {
    /// Which document: `"tenant"` or `"contract"`.
    pub document: &'static str,
    /// A JSON pointer to the offending part (`""` for the whole document).
    pub pointer: String,
    /// What is wrong there.
    pub reason: String,
}

impl SpecError {
    /// The stable code: `INVALID_SPEC`.
    pub fn code(&self) -> &'static str {
        crate::error::SpecErrorCode::InvalidSpec.as_str()
    }
}

/// How much a finding matters to the SDK.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js-client"),
    derive(tsify::Tsify)
)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    /// A call of the SDK fails or sends what the tenant refuses.
    Breaking,
    /// The SDK may miss or misread something.
    Warning,
    /// The documents differ in a way the SDK does not depend on.
    Info,
}

/// What differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js-client"),
    derive(tsify::Tsify)
)]
#[serde(rename_all = "camelCase")]
pub enum FindingKind {
    /// The contract's path is not in the tenant's document, and no moved equivalent was found.
    PathMissingInTenant,
    /// The tenant has the path, without this method.
    MethodMissingInTenant,
    /// The tenant serves the operation at another path (see `tenantPath`, `routeOverride`).
    PathMoved,
    /// The tenant has a path the contract lacks.
    PathOnlyInTenant,
    /// The tenant has a method on a contract path that the contract lacks.
    MethodOnlyInTenant,
    /// A field or parameter is required by the tenant and not by the contract.
    RequiredFieldAdded,
    /// A field or parameter required by the contract is optional (or gone) for the tenant.
    RequiredFieldRemoved,
    /// A field or parameter has another type.
    TypeChanged,
    /// A query parameter has another name (`expected` the contract's, `actual` the tenant's).
    QueryParameterRenamed,
    /// The tenant takes a query parameter the contract lacks.
    QueryParameterAdded,
    /// The tenant lacks a query parameter of the contract.
    QueryParameterRemoved,
}

/// A `routes` option entry: `{ [operation]: path }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js-client"),
    derive(tsify::Tsify)
)]
#[serde(rename_all = "camelCase")]
pub struct RouteOverride {
    /// The key of the `routes` option (an operationId of the contract).
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js-client"),
        tsify(type = "OperationId")
    )]
    pub operation: String,
    /// The path to give it.
    pub path: String,
}

/// One difference between the contract and the tenant's document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js-client"),
    derive(tsify::Tsify)
)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// What differs.
    pub kind: FindingKind,
    /// How much it matters.
    pub severity: Severity,
    /// The HTTP method, upper case.
    pub method: String,
    /// The path in the contract (with the base path), or the tenant's for tenant-only operations.
    pub path: String,
    /// Where the tenant has it, for a moved path.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub tenant_path: Option<String>,
    /// The SDK operation affected (the `routes` key), when the SDK calls it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js-client"),
        tsify(optional, type = "OperationId")
    )]
    pub operation: Option<String>,
    /// The client methods that send this operation.
    pub sdk_methods: Vec<String>,
    /// Where in the operation: `"query"`, `"request body"`, `"response 201"`, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub location: Option<String>,
    /// The field or parameter (dotted, `[]` for array items).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub field: Option<String>,
    /// The contract's value (a type or a name).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub expected: Option<String>,
    /// The tenant's value.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub actual: Option<String>,
    /// The `routes` override that points the SDK at the tenant's path.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(all(target_arch = "wasm32", feature = "js-client"), tsify(optional))]
    pub route_override: Option<RouteOverride>,
    /// Whether the contract marks this part `x-inferred` (not confirmed by a public source).
    pub inferred: bool,
    /// One line for people.
    pub message: String,
}

/// The result of comparing the contract with a tenant's document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js-client"),
    derive(tsify::Tsify)
)]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "js-client"),
    tsify(hashmap_as_object)
)]
#[serde(rename_all = "camelCase")]
pub struct DriftReport {
    /// `info.version` of the contract.
    pub contract_version: String,
    /// `info.version` of the tenant's document.
    pub tenant_version: String,
    /// Operations found on both sides (moved ones included).
    pub operations_compared: usize,
    /// Whether any finding is [`Severity::Breaking`].
    pub breaking: bool,
    /// Every override of the findings, ready to pass as the client's `routes` option.
    #[cfg_attr(
        all(target_arch = "wasm32", feature = "js-client"),
        tsify(type = "Partial<Record<OperationId, string>>")
    )]
    pub routes: StrMap,
    /// The differences, contract order first, then what only the tenant has.
    pub findings: Vec<Finding>,
}

/// The client methods that send `op` (for the report; the `routes` key is the operationId): the
/// method named after the operationId (`checkSpec` for getSpec), then the flows that also send
/// it. A new operation of the contract needs no entry here.
pub fn sdk_methods(op: Operation) -> Vec<&'static str> {
    use Operation as O;
    let method = match op {
        O::GetSpec => "checkSpec",
        _ => op.name(),
    };
    let flows: &[&'static str] = match op {
        O::ListUsers | O::CreateUser | O::ConfirmEmail => &["ensureExpert", "startVideoCall"],
        O::ReserveMeeting => &["startVideoCall"],
        O::ListArchives => &["archives"],
        O::ArchiveDownloadUrl => &["downloadArchive"],
        O::GetPlatformSettings => &["updatePlatformSettings"],
        _ => &[],
    };
    let mut all = vec![method];
    all.extend_from_slice(flows);
    all
}

/// Compares the shipped [`CONTRACT`] with a tenant's document.
///
/// # Errors
/// [`SpecError`] when the tenant's document is not valid OpenAPI 2.0.
pub fn check_against_contract(tenant: &[u8]) -> Result<DriftReport, SpecError> {
    compare(CONTRACT.as_bytes(), tenant)
}

/// Like [`check_against_contract`] for a client whose `routes` are `routes`: a moved path that
/// the routes already point at is reported as `info`, not `breaking`, and an override is
/// followed to the tenant's operation it names.
///
/// # Errors
/// [`SpecError`] when the tenant's document is not valid OpenAPI 2.0.
pub fn check_with_routes(tenant: &[u8], routes: &RouteTable) -> Result<DriftReport, SpecError> {
    compare_with_routes(CONTRACT.as_bytes(), tenant, routes)
}

/// Compares a contract with a tenant's document (both OpenAPI 2.0 JSON).
///
/// # Errors
/// [`SpecError`] when either document is not valid OpenAPI 2.0.
pub fn compare(contract: &[u8], tenant: &[u8]) -> Result<DriftReport, SpecError> {
    compare_with_routes(contract, tenant, &RouteTable::default())
}

fn compare_with_routes(
    contract: &[u8],
    tenant: &[u8],
    routes: &RouteTable,
) -> Result<DriftReport, SpecError> {
    let c_root = parse_json("contract", contract)?;
    let t_root = parse_json("tenant", tenant)?;
    let c = Doc::read("contract", &c_root)?;
    let t = Doc::read("tenant", &t_root)?;
    Ok(Comparison::new(&c, &t, routes).run())
}

fn parse_json(document: &'static str, bytes: &[u8]) -> Result<Value, SpecError> {
    serde_json::from_slice(bytes).map_err(|e| SpecError {
        document,
        pointer: String::new(),
        reason: format!("not JSON ({e})"),
    })
}

/// One operation of a document, its references not yet resolved.
struct Op<'a> {
    method: &'static str,
    /// The base path and the path key.
    path: String,
    /// The path with every placeholder as `{}`.
    shape: String,
    operation_id: Option<&'a str>,
    inferred: bool,
    /// Path-level parameters, then the operation's (which win), references resolved.
    params: Vec<&'a Map<String, Value>>,
    responses: &'a Map<String, Value>,
}

struct Doc<'a> {
    root: &'a Map<String, Value>,
    version: String,
    ops: Vec<Op<'a>>,
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn shape_of(path: &str) -> String {
    path.split('/')
        .map(|s| if is_placeholder(s) { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

fn is_placeholder(segment: &str) -> bool {
    segment.len() > 2 && segment.starts_with('{') && segment.ends_with('}')
}

impl<'a> Doc<'a> {
    fn read(document: &'static str, root: &'a Value) -> Result<Self, SpecError> {
        let err = |pointer: String, reason: &str| SpecError {
            document,
            pointer,
            reason: reason.to_owned(),
        };
        let root = root
            .as_object()
            .ok_or_else(|| err(String::new(), "the document is not a JSON object"))?;
        match root.get("swagger") {
            Some(Value::String(s)) if s == "2.0" => {}
            Some(_) => return Err(err("/swagger".into(), "must be the string \"2.0\"")),
            None if root.contains_key("openapi") => {
                return Err(err(
                    "/openapi".into(),
                    "an OpenAPI 3 document; the tenant spec is expected in OpenAPI 2.0",
                ))
            }
            None => return Err(err("/swagger".into(), "missing (must be \"2.0\")")),
        }
        let info = root
            .get("info")
            .and_then(Value::as_object)
            .ok_or_else(|| err("/info".into(), "missing or not an object"))?;
        let version = match (info.get("title"), info.get("version")) {
            (Some(Value::String(_)), Some(Value::String(v))) => v.clone(),
            (Some(Value::String(_)), _) => {
                return Err(err("/info/version".into(), "missing or not a string"))
            }
            _ => return Err(err("/info/title".into(), "missing or not a string")),
        };
        let base = match root.get("basePath") {
            None => "",
            Some(Value::String(b)) if b.starts_with('/') => b.trim_end_matches('/'),
            Some(_) => return Err(err("/basePath".into(), "must be a string starting with /")),
        };
        for key in ["definitions", "parameters", "responses"] {
            if root.get(key).is_some_and(|v| !v.is_object()) {
                return Err(err(format!("/{key}"), "must be an object"));
            }
        }
        let paths = root
            .get("paths")
            .and_then(Value::as_object)
            .ok_or_else(|| err("/paths".into(), "missing or not an object"))?;
        let mut ops = Vec::new();
        for (key, item) in paths {
            let at = format!("/paths/{}", escape(key));
            if !key.starts_with('/') {
                return Err(err(at, "a path must start with /"));
            }
            let item = item
                .as_object()
                .ok_or_else(|| err(at.clone(), "a path item must be an object"))?;
            let shared = read_params(document, root, item.get("parameters"), &at)?;
            for (name, op) in item {
                let op_at = format!("{at}/{name}");
                let Some(method) = METHODS.iter().find(|m| **m == name.as_str()) else {
                    if name == "parameters" || name == "$ref" || name.starts_with("x-") {
                        continue;
                    }
                    return Err(err(op_at, "not a field of a path item"));
                };
                let op = op
                    .as_object()
                    .ok_or_else(|| err(op_at.clone(), "an operation must be an object"))?;
                let responses = op
                    .get("responses")
                    .and_then(Value::as_object)
                    .ok_or_else(|| err(format!("{op_at}/responses"), "missing or not an object"))?;
                let operation_id = match op.get("operationId") {
                    None => None,
                    Some(Value::String(s)) => Some(s.as_str()),
                    Some(_) => return Err(err(format!("{op_at}/operationId"), "not a string")),
                };
                let own = read_params(document, root, op.get("parameters"), &op_at)?;
                let mut params: Vec<&Map<String, Value>> = shared
                    .iter()
                    .filter(|s| !own.iter().any(|o| same_param(o, s)))
                    .copied()
                    .collect();
                params.extend(own);
                let path = format!("{base}{key}");
                ops.push(Op {
                    method,
                    shape: shape_of(&path),
                    path,
                    operation_id,
                    inferred: op.get("x-inferred") == Some(&Value::Bool(true))
                        || item.get("x-inferred") == Some(&Value::Bool(true)),
                    params,
                    responses,
                });
            }
        }
        Ok(Self { root, version, ops })
    }
}

fn same_param(a: &Map<String, Value>, b: &Map<String, Value>) -> bool {
    a.get("name") == b.get("name") && a.get("in") == b.get("in")
}

fn read_params<'a>(
    document: &'static str,
    root: &'a Map<String, Value>,
    list: Option<&'a Value>,
    at: &str,
) -> Result<Vec<&'a Map<String, Value>>, SpecError> {
    let err = |pointer: String, reason: &str| SpecError {
        document,
        pointer,
        reason: reason.to_owned(),
    };
    let Some(list) = list else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or_else(|| err(format!("{at}/parameters"), "must be an array"))?;
    let mut out = Vec::with_capacity(list.len());
    for (i, p) in list.iter().enumerate() {
        let p_at = format!("{at}/parameters/{i}");
        let p = match p.get("$ref") {
            Some(Value::String(r)) => resolve_ref(root, r, "parameters")
                .ok_or_else(|| err(p_at.clone(), "a $ref that does not resolve"))?,
            _ => p,
        };
        let p = p
            .as_object()
            .ok_or_else(|| err(p_at.clone(), "a parameter must be an object"))?;
        if !p.get("name").is_some_and(Value::is_string) {
            return Err(err(format!("{p_at}/name"), "missing or not a string"));
        }
        match p.get("in").and_then(Value::as_str) {
            Some("body") if !p.get("schema").is_some_and(Value::is_object) => {
                return Err(err(
                    format!("{p_at}/schema"),
                    "a body parameter needs a schema object",
                ))
            }
            Some(l) if PARAM_LOCATIONS.contains(&l) => {}
            _ => {
                return Err(err(
                    format!("{p_at}/in"),
                    "must be query, header, path, formData or body",
                ))
            }
        }
        out.push(p);
    }
    Ok(out)
}

/// Resolves a local `$ref` (`#/{section}/Name`).
fn resolve_ref<'a>(root: &'a Map<String, Value>, r: &str, section: &str) -> Option<&'a Value> {
    let name = r
        .strip_prefix("#/")?
        .strip_prefix(section)?
        .strip_prefix('/')?;
    let name = name.replace("~1", "/").replace("~0", "~");
    root.get(section)?.get(name)
}

/// A schema with its `$ref`s followed (up to [`MAX_DEPTH`]); `None` for a dangling one.
fn deref<'a>(root: &'a Map<String, Value>, mut schema: &'a Value) -> Option<&'a Value> {
    for _ in 0..MAX_DEPTH {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => schema = resolve_ref(root, r, "definitions")?,
            None => return Some(schema),
        }
    }
    None
}

/// The schema's type: its `type`, or `object` when it has properties or `allOf`.
fn type_of(schema: &Value) -> Option<String> {
    match schema.get("type") {
        Some(Value::String(t)) => Some(t.clone()),
        Some(Value::Array(ts)) => Some(
            ts.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("|"),
        ),
        _ if schema.get("properties").is_some() || schema.get("allOf").is_some() => {
            Some("object".into())
        }
        _ => None,
    }
}

/// `required` and `properties` of an object schema, `allOf` parts merged.
///
/// Both sorted by name, without duplicates (an earlier `properties` entry wins). Vectors, not
/// BTreeMap/BTreeSet: each distinct map type compiles its own B-tree code into the wasm, and
/// these hold a few names each (bench/README.md, branch `size2`).
fn object_parts<'a>(
    root: &'a Map<String, Value>,
    schema: &'a Value,
    depth: usize,
) -> (Vec<String>, Vec<(String, &'a Value)>) {
    let mut required: Vec<(String, ())> = Vec::new();
    let mut props: Vec<(String, &'a Value)> = Vec::new();
    add_parts(root, schema, depth, &mut required, &mut props);
    (required.into_iter().map(|(k, ())| k).collect(), props)
}

fn add_parts<'a>(
    root: &'a Map<String, Value>,
    schema: &'a Value,
    depth: usize,
    required: &mut Vec<(String, ())>,
    props: &mut Vec<(String, &'a Value)>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(r) = schema.get("required").and_then(Value::as_array) {
        for name in r.iter().filter_map(Value::as_str) {
            insert_sorted(required, name, (), false);
        }
    }
    if let Some(p) = schema.get("properties").and_then(Value::as_object) {
        for (k, v) in p {
            insert_sorted(props, k, v, false);
        }
    }
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(part) = deref(root, part) {
            add_parts(root, part, depth + 1, required, props);
        }
    }
}

/// Adds `(key, value)` to `pairs`, kept sorted by key (a binary search, no sort: each sorted
/// element type would compile its own sort into the wasm). An existing key keeps its value
/// unless `replace`.
fn insert_sorted<V>(pairs: &mut Vec<(String, V)>, key: &str, value: V, replace: bool) {
    match pairs.binary_search_by(|(k, _)| k.as_str().cmp(key)) {
        Ok(i) if replace => pairs[i].1 = value,
        Ok(_) => {}
        Err(i) => pairs.insert(i, (key.to_owned(), value)),
    }
}

/// The value under `key` in pairs sorted by key.
fn lookup<'m, V>(pairs: &'m [(String, V)], key: &str) -> Option<&'m V> {
    pairs
        .binary_search_by(|(k, _)| k.as_str().cmp(key))
        .ok()
        .map(|i| &pairs[i].1)
}

/// The schema of an operation's body parameter, and whether the body is required.
fn body_of<'a>(op: &Op<'a>) -> Option<(&'a Value, bool)> {
    let p = op
        .params
        .iter()
        .find(|p| p.get("in").and_then(Value::as_str) == Some("body"))?;
    Some((
        p.get("schema")?,
        p.get("required") == Some(&Value::Bool(true)),
    ))
}

/// Whether a location is what the SDK sends (`true`) or what it reads (`false`).
fn is_request(location: &str) -> bool {
    location == "query" || location == "request body"
}

fn placeholders_in_order(path: &str) -> Vec<&str> {
    path.split('/')
        .filter(|s| is_placeholder(s))
        .map(|s| &s[1..s.len() - 1])
        .collect()
}

/// The tenant's path with its placeholders renamed, in order, to those of the SDK's default
/// route, if the result is an override the SDK accepts.
fn override_for(op: Operation, tenant_path: &str) -> Option<RouteOverride> {
    let default = RouteTable::default();
    let names = placeholders_in_order(default.path(op));
    let mut i = 0;
    let mut segments = Vec::new();
    for s in tenant_path.split('/') {
        if is_placeholder(s) {
            segments.push(format!("{{{}}}", names.get(i)?));
            i += 1;
        } else {
            segments.push(s.to_owned());
        }
    }
    if i != names.len() {
        return None;
    }
    let path = segments.join("/");
    let mut table = RouteTable::default();
    table.set(op.name(), &path).ok()?;
    Some(RouteOverride {
        operation: op.name().to_owned(),
        path,
    })
}

/// Edit distance of two short names (ASCII case-insensitive), for pairing renamed parameters.
/// ASCII case only: the Unicode case tables of `to_lowercase`/`to_uppercase` cost the wasm
/// 9840 B gzip (node build, measured 2026-11-29, bench/README.md); parameter names and HTTP methods
/// are ASCII.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_ascii_lowercase().chars().collect();
    let b: Vec<char> = b.to_ascii_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

struct Comparison<'c, 't> {
    c: &'c Doc<'c>,
    t: &'t Doc<'t>,
    routes: &'c RouteTable,
    findings: Vec<Finding>,
}

/// The identity of a finding's operation, shared by its field findings.
struct Subject {
    method: String,
    path: String,
    operation: Option<Operation>,
    inferred: bool,
}

impl Subject {
    fn finding(&self, kind: FindingKind, severity: Severity, message: String) -> Finding {
        Finding {
            kind,
            severity,
            method: self.method.clone(),
            path: self.path.clone(),
            tenant_path: None,
            operation: self.operation.map(|o| o.name().to_owned()),
            sdk_methods: self
                .operation
                .map(|o| sdk_methods(o).iter().map(|s| (*s).to_owned()).collect())
                .unwrap_or_default(),
            location: None,
            field: None,
            expected: None,
            actual: None,
            route_override: None,
            inferred: self.inferred,
            message,
        }
    }

    fn label(&self) -> String {
        match self.operation {
            Some(o) => format!("{} {} ({})", self.method, self.path, o.name()),
            None => format!("{} {}", self.method, self.path),
        }
    }
}

impl<'c, 't> Comparison<'c, 't> {
    fn new(c: &'c Doc<'c>, t: &'t Doc<'t>, routes: &'c RouteTable) -> Self {
        Self {
            c,
            t,
            routes,
            findings: Vec::new(),
        }
    }

    fn run(mut self) -> DriftReport {
        // Per tenant operation: already matched to a contract operation.
        let mut matched = vec![false; self.t.ops.len()];
        let mut compared = 0;
        // Exact matches first, so that a move is never guessed onto a path the contract has.
        let exact: Vec<Option<usize>> = self
            .c
            .ops
            .iter()
            .map(|co| {
                self.t
                    .ops
                    .iter()
                    .position(|to| to.method == co.method && to.shape == co.shape)
            })
            .collect();
        for &ti in exact.iter().flatten() {
            matched[ti] = true;
        }
        for (ci, co) in self.c.ops.iter().enumerate() {
            let operation = co.operation_id.and_then(Operation::from_name);
            let subject = Subject {
                method: co.method.to_ascii_uppercase(),
                path: co.path.clone(),
                operation,
                inferred: co.inferred,
            };
            if let Some(ti) = exact[ci] {
                compared += 1;
                self.compare_ops(&subject, co, &self.t.ops[ti]);
                continue;
            }
            // Where the client's routes point, if that is the tenant's operation; else a search.
            let configured = operation.map(|o| shape_of(self.routes.path(o)));
            let routed = (0..self.t.ops.len()).find(|ti| {
                let to = &self.t.ops[*ti];
                !matched[*ti]
                    && to.method == co.method
                    && configured.as_deref() == Some(to.shape.as_str())
            });
            if let Some(ti) = routed.or_else(|| self.find_moved(co, &matched)) {
                matched[ti] = true;
                compared += 1;
                let to = &self.t.ops[ti];
                let fix = operation.and_then(|o| override_for(o, &to.path));
                let (severity, how) = match &fix {
                    _ if routed.is_some() => (
                        Severity::Info,
                        "; the client's routes option already points there".to_owned(),
                    ),
                    Some(f) => (
                        Severity::Breaking,
                        format!("; fix: routes {{ {}: \"{}\" }}", f.operation, f.path),
                    ),
                    None => (
                        Severity::Breaking,
                        " (no routes override can express it)".into(),
                    ),
                };
                let mut f = subject.finding(
                    FindingKind::PathMoved,
                    severity,
                    format!("{} is at {} on the tenant{how}", subject.label(), to.path),
                );
                f.tenant_path = Some(to.path.clone());
                f.route_override = fix;
                self.findings.push(f);
                self.compare_ops(&subject, co, to);
                continue;
            }
            let path_known = self.t.ops.iter().any(|to| to.shape == co.shape);
            let (kind, what) = if path_known {
                (FindingKind::MethodMissingInTenant, "method")
            } else {
                (FindingKind::PathMissingInTenant, "path")
            };
            let severity = if operation.is_some() {
                Severity::Breaking
            } else {
                Severity::Warning
            };
            let f = subject.finding(
                kind,
                severity,
                format!("{}: the tenant's spec lacks this {what}", subject.label()),
            );
            self.findings.push(f);
        }
        for (ti, to) in self.t.ops.iter().enumerate() {
            if matched[ti] {
                continue;
            }
            let path_known = self.c.ops.iter().any(|co| co.shape == to.shape);
            let (kind, what) = if path_known {
                (FindingKind::MethodOnlyInTenant, "method")
            } else {
                (FindingKind::PathOnlyInTenant, "path")
            };
            let subject = Subject {
                method: to.method.to_ascii_uppercase(),
                path: to.path.clone(),
                operation: None,
                inferred: false,
            };
            let f = subject.finding(
                kind,
                Severity::Info,
                format!(
                    "{}: only the tenant's spec has this {what}",
                    subject.label()
                ),
            );
            self.findings.push(f);
        }
        // Inserted one by one, in key order (`StrMap`): collecting into a BTreeMap sorted a
        // vector first, which compiled a stable sort of (String, String) into the wasm.
        let mut routes = StrMap::default();
        for o in self
            .findings
            .iter()
            .filter_map(|f| f.route_override.as_ref())
        {
            routes.insert(o.operation.clone(), o.path.clone());
        }
        DriftReport {
            contract_version: self.c.version.clone(),
            tenant_version: self.t.version.clone(),
            operations_compared: compared,
            breaking: self
                .findings
                .iter()
                .any(|f| f.severity == Severity::Breaking),
            routes,
            findings: self.findings,
        }
    }

    /// The tenant operation a missing contract operation moved to: the same operationId and
    /// method, else the one unmatched operation of the same method, number of placeholders and
    /// last segment that shares the most segments with it.
    fn find_moved(&self, co: &Op<'_>, matched: &[bool]) -> Option<usize> {
        let free = |ti: &usize| !matched[*ti] && self.t.ops[*ti].method == co.method;
        if let Some(id) = co.operation_id {
            let by_id = (0..self.t.ops.len())
                .filter(free)
                .find(|ti| self.t.ops[*ti].operation_id == Some(id));
            if by_id.is_some() {
                return by_id;
            }
        }
        let segs = |p: &str| -> Vec<String> { p.split('/').map(str::to_owned).collect() };
        let c_segs = segs(&co.shape);
        let candidates = (0..self.t.ops.len()).filter(free).filter_map(|ti| {
            let t_segs = segs(&self.t.ops[ti].shape);
            let holes = |s: &[String]| s.iter().filter(|x| *x == "{}").count();
            if t_segs.last() != c_segs.last() || holes(&t_segs) != holes(&c_segs) {
                return None;
            }
            let shared = t_segs
                .iter()
                .filter(|s| !s.is_empty() && *s != "{}" && c_segs.contains(s))
                .count();
            Some((shared, ti))
        });
        // The one candidate sharing the most segments; none on a tie. A scan, not a sort: each
        // sorted element type compiles its own sort into the wasm.
        let mut best: Option<(usize, usize)> = None;
        let mut tied = false;
        for (shared, ti) in candidates {
            match best {
                Some((n, _)) if shared < n => {}
                Some((n, _)) if shared == n => tied = true,
                _ => {
                    best = Some((shared, ti));
                    tied = false;
                }
            }
        }
        best.filter(|_| !tied).map(|(_, ti)| ti)
    }

    fn compare_ops(&mut self, s: &Subject, co: &Op<'_>, to: &Op<'_>) {
        self.compare_query(s, co, to);
        match (body_of(co), body_of(to)) {
            (Some((cs, _)), Some((ts, _))) => self.compare_schema(s, "request body", "", cs, ts, 0),
            (None, Some((_, true))) => {
                let mut f = s.finding(
                    FindingKind::RequiredFieldAdded,
                    Severity::Breaking,
                    format!("{}: the tenant requires a request body", s.label()),
                );
                f.location = Some("request body".into());
                self.findings.push(f);
            }
            _ => {}
        }
        let success = |r: &Map<String, Value>| r.keys().filter(|c| c.starts_with('2')).count();
        // One success answer on each side is the same answer, whatever its code (200 or 201).
        let lone = success(co.responses) == 1 && success(to.responses) == 1;
        for (code, cr) in co.responses {
            if !code.starts_with('2') {
                continue;
            }
            let tr = match to.responses.get(code) {
                Some(tr) => tr,
                None if lone => match to.responses.iter().find(|(c, _)| c.starts_with('2')) {
                    Some((_, tr)) => tr,
                    None => continue,
                },
                None => continue,
            };
            let schema = |root: &Map<String, Value>, r: &'_ Value| -> Option<Value> {
                let r = match r.get("$ref").and_then(Value::as_str) {
                    Some(x) => resolve_ref(root, x, "responses")?,
                    None => r,
                };
                r.get("schema").cloned()
            };
            if let (Some(cs), Some(ts)) = (schema(self.c.root, cr), schema(self.t.root, tr)) {
                self.compare_schema(s, &format!("response {code}"), "", &cs, &ts, 0);
            }
        }
    }

    fn compare_query(&mut self, s: &Subject, co: &Op<'_>, to: &Op<'_>) {
        // Sorted by name; a later parameter of the same name replaces an earlier one.
        let query = |op: &Op<'_>| -> Vec<(String, (Option<String>, bool))> {
            let mut out: Vec<(String, (Option<String>, bool))> = Vec::new();
            let params = op
                .params
                .iter()
                .filter(|p| p.get("in").and_then(Value::as_str) == Some("query"));
            for p in params {
                let Some(name) = p.get("name").and_then(Value::as_str) else {
                    continue;
                };
                let v = (
                    p.get("type").and_then(Value::as_str).map(str::to_owned),
                    p.get("required") == Some(&Value::Bool(true)),
                );
                insert_sorted(&mut out, name, v, true);
            }
            out
        };
        let (cq, tq) = (query(co), query(to));
        let mut removed: Vec<&String> = cq
            .iter()
            .map(|(k, _)| k)
            .filter(|k| lookup(&tq, k).is_none())
            .collect();
        let mut added: Vec<&String> = tq
            .iter()
            .map(|(k, _)| k)
            .filter(|k| lookup(&cq, k).is_none())
            .collect();
        // Renames: a lone pair, or pairs of names within two edits of each other.
        let mut renames = Vec::new();
        if removed.len() == 1 && added.len() == 1 {
            renames.push((removed[0], added[0]));
        } else {
            for r in &removed {
                if let Some(a) = added
                    .iter()
                    .filter(|a| !renames.iter().any(|(_, x)| x == *a))
                    .find(|a| distance(r, a) <= 2)
                {
                    renames.push((r, a));
                }
            }
        }
        removed.retain(|r| !renames.iter().any(|(x, _)| x == r));
        added.retain(|a| !renames.iter().any(|(_, x)| x == a));
        for (from, to_name) in renames {
            let mut f = s.finding(
                FindingKind::QueryParameterRenamed,
                Severity::Breaking,
                format!(
                    "{}: query parameter {from} is {to_name} on the tenant",
                    s.label()
                ),
            );
            f.location = Some("query".into());
            f.field = Some(from.clone());
            f.expected = Some(from.clone());
            f.actual = Some(to_name.clone());
            self.findings.push(f);
        }
        for r in removed {
            let mut f = s.finding(
                FindingKind::QueryParameterRemoved,
                Severity::Warning,
                format!("{}: the tenant's spec lacks query parameter {r}", s.label()),
            );
            f.location = Some("query".into());
            f.field = Some(r.clone());
            f.expected = Some(r.clone());
            self.findings.push(f);
        }
        for a in added {
            let required = lookup(&tq, a).is_some_and(|(_, req)| *req);
            let (sev, word) = if required {
                (Severity::Breaking, "required")
            } else {
                (Severity::Info, "optional")
            };
            let mut f = s.finding(
                FindingKind::QueryParameterAdded,
                sev,
                format!(
                    "{}: the tenant takes a {word} query parameter {a}",
                    s.label()
                ),
            );
            f.location = Some("query".into());
            f.field = Some(a.clone());
            f.actual = Some(a.clone());
            self.findings.push(f);
        }
        for (name, (ct, creq)) in &cq {
            let Some((tt, treq)) = lookup(&tq, name) else {
                continue;
            };
            if let (Some(ct), Some(tt)) = (ct, tt) {
                if ct != tt {
                    self.push_type_change(s, "query", name, ct, tt);
                }
            }
            if *treq && !creq {
                self.push_required(s, "query", name, true);
            } else if *creq && !treq {
                self.push_required(s, "query", name, false);
            }
        }
    }

    fn push_type_change(&mut self, s: &Subject, location: &str, field: &str, c: &str, t: &str) {
        let mut f = s.finding(
            FindingKind::TypeChanged,
            Severity::Breaking,
            format!(
                "{}: {location} {field} is {t} on the tenant, {c} in the contract",
                s.label()
            ),
        );
        f.location = Some(location.to_owned());
        f.field = Some(field.to_owned());
        f.expected = Some(c.to_owned());
        f.actual = Some(t.to_owned());
        self.findings.push(f);
    }

    fn push_required(&mut self, s: &Subject, location: &str, field: &str, added: bool) {
        let request = is_request(location);
        let (kind, severity, text) = match (added, request) {
            (true, true) => (
                FindingKind::RequiredFieldAdded,
                Severity::Breaking,
                "required by the tenant, optional or absent in the contract",
            ),
            (true, false) => (
                FindingKind::RequiredFieldAdded,
                Severity::Info,
                "always sent by the tenant, optional or absent in the contract",
            ),
            (false, true) => (
                FindingKind::RequiredFieldRemoved,
                Severity::Info,
                "optional for the tenant, required in the contract",
            ),
            (false, false) => (
                FindingKind::RequiredFieldRemoved,
                Severity::Warning,
                "may be absent from the tenant's answer, required in the contract",
            ),
        };
        let mut f = s.finding(
            kind,
            severity,
            format!("{}: {location} {field} is {text}", s.label()),
        );
        f.location = Some(location.to_owned());
        f.field = Some(field.to_owned());
        self.findings.push(f);
    }

    fn compare_schema(
        &mut self,
        s: &Subject,
        location: &str,
        field: &str,
        c: &Value,
        t: &Value,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let (Some(c), Some(t)) = (deref(self.c.root, c), deref(self.t.root, t)) else {
            return;
        };
        let (ct, tt) = (type_of(c), type_of(t));
        if let (Some(ct), Some(tt)) = (&ct, &tt) {
            if ct != tt {
                let name = if field.is_empty() { "(root)" } else { field };
                self.push_type_change(s, location, name, ct, tt);
                return;
            }
        }
        let join = |name: &str| {
            if field.is_empty() {
                name.to_owned()
            } else {
                format!("{field}.{name}")
            }
        };
        if ct.as_deref() == Some("array") {
            if let (Some(ci), Some(ti)) = (c.get("items"), t.get("items")) {
                let items = format!("{field}[]");
                self.compare_schema(s, location, &items, ci, ti, depth + 1);
            }
            return;
        }
        let (creq, cprops) = object_parts(self.c.root, c, 0);
        let (treq, tprops) = object_parts(self.t.root, t, 0);
        for name in treq.iter().filter(|n| creq.binary_search(n).is_err()) {
            self.push_required(s, location, &join(name), true);
        }
        for name in creq.iter().filter(|n| treq.binary_search(n).is_err()) {
            self.push_required(s, location, &join(name), false);
        }
        for (name, cp) in &cprops {
            if let Some(tp) = lookup(&tprops, name) {
                self.compare_schema(s, location, &join(name), cp, tp, depth + 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const MOVED: &str =
        "/communication/notificationssubscriptions/notificationssubscriptions/webhook";

    fn contract() -> Value {
        serde_json::from_str(CONTRACT).unwrap()
    }

    fn run(tenant: &Value) -> DriftReport {
        check_against_contract(tenant.to_string().as_bytes()).unwrap()
    }

    fn kinds(r: &DriftReport) -> Vec<(FindingKind, Option<&str>, Option<&str>)> {
        r.findings
            .iter()
            .map(|f| (f.kind, f.operation.as_deref(), f.field.as_deref()))
            .collect()
    }

    #[test]
    fn the_contract_against_itself_has_no_findings() {
        let r = run(&contract());
        assert_eq!(r.findings, vec![]);
        assert!(!r.breaking);
        assert_eq!(r.operations_compared, crate::api::ROUTES.len());
        assert!(r.routes.is_empty());
    }

    #[test]
    fn the_embedded_contract_is_the_written_one_without_prose() {
        let full = include_str!("../spec/flexperto-v2.json");
        assert!(CONTRACT.len() * 2 < full.len());
        let r = compare(full.as_bytes(), CONTRACT.as_bytes()).unwrap();
        assert_eq!(r.findings, vec![]);
        assert_eq!(r.operations_compared, crate::api::ROUTES.len());
        let r = compare(CONTRACT.as_bytes(), full.as_bytes()).unwrap();
        assert_eq!(r.findings, vec![]);
        let c: Value = serde_json::from_str(CONTRACT).unwrap();
        // Property names that are keywords elsewhere survive.
        assert!(c["definitions"]["NewUser"]["properties"].is_object());
        assert!(!CONTRACT.contains("\"description\":\""));
    }

    #[test]
    fn a_moved_webhook_path_gets_the_override_that_fixes_it() {
        let mut t = contract();
        let paths = t["paths"].as_object_mut().unwrap();
        let item = paths
            .remove("/communication/subscriptions/subscriptions/webhook")
            .unwrap();
        paths.insert(MOVED.into(), item);
        let r = run(&t);
        assert!(r.breaking);
        assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
        let f = &r.findings[0];
        assert_eq!(f.kind, FindingKind::PathMoved);
        assert_eq!(f.severity, Severity::Breaking);
        assert_eq!(f.operation.as_deref(), Some("createWebhookSubscription"));
        assert_eq!(f.sdk_methods, vec!["createWebhookSubscription"]);
        let path = format!("/api/v2{MOVED}");
        assert_eq!(f.tenant_path.as_deref(), Some(path.as_str()));
        assert_eq!(
            f.route_override,
            Some(RouteOverride {
                operation: "createWebhookSubscription".into(),
                path: path.clone()
            })
        );
        assert_eq!(r.routes.get("createWebhookSubscription"), Some(&path));
        assert!(f.message.contains(&path), "{}", f.message);
        // The override is one the client accepts.
        let mut table = RouteTable::default();
        table.set("createWebhookSubscription", &path).unwrap();
    }

    #[test]
    fn a_move_the_routes_already_follow_is_not_breaking() {
        let mut t = contract();
        let paths = t["paths"].as_object_mut().unwrap();
        let mut item = paths
            .remove("/communication/subscriptions/subscriptions/webhook")
            .unwrap();
        item["post"].as_object_mut().unwrap().remove("operationId");
        // Two equally likely places: only the routes can tell which one it is.
        paths.insert("/communication/alpha/webhook".into(), item.clone());
        paths.insert("/communication/beta/webhook".into(), item);
        let mut routes = RouteTable::default();
        let path = "/api/v2/communication/beta/webhook";
        routes.set("createWebhookSubscription", path).unwrap();
        let r = check_with_routes(t.to_string().as_bytes(), &routes).unwrap();
        assert!(!r.breaking, "{:#?}", r.findings);
        let moved = &r.findings[0];
        assert_eq!(
            (moved.kind, moved.severity, moved.tenant_path.as_deref()),
            (FindingKind::PathMoved, Severity::Info, Some(path))
        );
        assert!(moved.message.contains("already points there"));
        assert_eq!(r.findings[1].path, "/api/v2/communication/alpha/webhook");
        assert_eq!(r.findings[1].kind, FindingKind::PathOnlyInTenant);
        // Without the routes the same document is ambiguous: the contract's path is missing.
        let plain = run(&t);
        assert!(plain.breaking);
        assert_eq!(plain.findings[0].kind, FindingKind::PathMissingInTenant);
    }

    #[test]
    fn a_move_is_found_by_path_shape_without_operation_ids_and_placeholders_are_renamed() {
        let mut t = contract();
        let paths = t["paths"].as_object_mut().unwrap();
        for item in paths.values_mut() {
            for op in item.as_object_mut().unwrap().values_mut() {
                if let Some(o) = op.as_object_mut() {
                    o.remove("operationId");
                }
            }
        }
        let item = paths
            .remove("/communication/archives/archives/{archiveId}/download")
            .unwrap();
        paths.insert("/archives/v1/{id}/download".into(), item);
        let r = run(&t);
        assert_eq!(r.findings.len(), 1, "{:#?}", r.findings);
        let f = &r.findings[0];
        assert_eq!(f.kind, FindingKind::PathMoved);
        assert_eq!(f.operation.as_deref(), Some("archiveDownloadUrl"));
        assert_eq!(f.sdk_methods, vec!["archiveDownloadUrl", "downloadArchive"]);
        assert_eq!(
            f.route_override.as_ref().unwrap().path,
            "/api/v2/archives/v1/{archiveId}/download"
        );
    }

    #[test]
    fn missing_paths_and_methods_on_either_side() {
        let mut t = contract();
        let paths = t["paths"].as_object_mut().unwrap();
        paths.remove("/auth/tokens/{tokenId}");
        paths["/platform/settings"]
            .as_object_mut()
            .unwrap()
            .remove("patch");
        paths.insert(
            "/brand/new".into(),
            json!({ "get": { "responses": { "200": { "description": "ok" } } } }),
        );
        paths["/spec"]
            .as_object_mut()
            .unwrap()
            .insert("head".into(), json!({ "responses": {} }));
        let r = run(&t);
        assert!(r.breaking);
        assert_eq!(
            kinds(&r),
            vec![
                (
                    FindingKind::PathMissingInTenant,
                    Some("revokeApiToken"),
                    None
                ),
                (
                    FindingKind::MethodMissingInTenant,
                    Some("updatePlatformSettings"),
                    None
                ),
                (FindingKind::PathOnlyInTenant, None, None),
                (FindingKind::MethodOnlyInTenant, None, None),
            ]
        );
        assert_eq!(r.findings[2].path, "/api/v2/brand/new");
        assert_eq!(r.findings[2].severity, Severity::Info);
        assert_eq!(r.findings[3].method, "HEAD");
        assert!(r.findings[0].route_override.is_none());
    }

    #[test]
    fn required_fields_and_types_in_requests_and_responses() {
        let mut t = contract();
        let d = t["definitions"].as_object_mut().unwrap();
        // Request: the tenant requires a field the SDK does not send.
        d["WebhookSubscriptionRequest"]["required"] = json!(["topic", "url", "secret"]);
        d["WebhookSubscriptionRequest"]["properties"]["secret"] = json!({ "type": "string" });
        // Response: a required field is optional, and a field changes type.
        let user_req: Vec<Value> = d["User"]["required"].as_array().unwrap().clone();
        assert!(user_req.contains(&json!("id")));
        d["User"]["required"] = Value::Array(
            user_req
                .into_iter()
                .filter(|v| v != &json!("email"))
                .collect(),
        );
        d["User"]["properties"]["id"]["type"] = json!("integer");
        let r = run(&t);
        let webhook: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.operation.as_deref() == Some("createWebhookSubscription"))
            .collect();
        assert_eq!(webhook.len(), 1, "{:#?}", r.findings);
        assert_eq!(webhook[0].kind, FindingKind::RequiredFieldAdded);
        assert_eq!(webhook[0].severity, Severity::Breaking);
        assert_eq!(webhook[0].location.as_deref(), Some("request body"));
        assert_eq!(webhook[0].field.as_deref(), Some("secret"));

        let create_user: Vec<_> = r
            .findings
            .iter()
            .filter(|f| f.operation.as_deref() == Some("createUser"))
            .map(|f| {
                (
                    f.kind,
                    f.severity,
                    f.location.as_deref().unwrap(),
                    f.field.as_deref().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            create_user,
            vec![
                (
                    FindingKind::RequiredFieldRemoved,
                    Severity::Warning,
                    "response 201",
                    "email"
                ),
                (
                    FindingKind::TypeChanged,
                    Severity::Breaking,
                    "response 201",
                    "id"
                ),
            ]
        );
        let changed = r
            .findings
            .iter()
            .find(|f| f.kind == FindingKind::TypeChanged)
            .unwrap();
        assert_eq!(
            (changed.expected.as_deref(), changed.actual.as_deref()),
            (Some("string"), Some("integer"))
        );
        // listUsers' items are users too: the nested array is followed.
        assert!(r
            .findings
            .iter()
            .any(|f| f.operation.as_deref() == Some("listUsers")
                && f.field.as_deref() == Some("items[].id")));
    }

    #[test]
    fn a_lone_success_answer_is_compared_whatever_its_code() {
        let mut t = contract();
        let responses = t["paths"]["/users/users"]["post"]["responses"]
            .as_object_mut()
            .unwrap();
        let created = responses.remove("201").unwrap();
        responses.insert("200".into(), created);
        t["definitions"]["User"]["properties"]["id"]["type"] = json!("integer");
        let r = run(&t);
        assert!(r
            .findings
            .iter()
            .any(|f| f.operation.as_deref() == Some("createUser")
                && f.kind == FindingKind::TypeChanged
                && f.location.as_deref() == Some("response 201")));
    }

    #[test]
    fn renamed_added_and_removed_query_parameters() {
        let mut t = contract();
        let post = &mut t["paths"]["/users/users"]["post"];
        post["parameters"][0]["name"] = json!("suppressMails");
        let get = &mut t["paths"]["/users/users"]["get"];
        let params = get["parameters"].as_array_mut().unwrap();
        let before: Vec<String> = params
            .iter()
            .filter(|p| p["in"] == "query")
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect();
        assert!(before.contains(&"limit".to_owned()) && before.contains(&"email".to_owned()));
        params.retain(|p| p["name"] != "email");
        params.push(
            json!({ "name": "tenantScope", "in": "query", "type": "string", "required": true }),
        );
        params.push(json!({ "name": "lang", "in": "query", "type": "string" }));
        for p in params.iter_mut() {
            if p["name"] == "limit" {
                p["type"] = json!("string");
            }
        }
        let r = run(&t);
        let got: Vec<_> = r
            .findings
            .iter()
            .map(|f| {
                (
                    f.kind,
                    f.severity,
                    f.operation.as_deref().unwrap(),
                    f.expected.as_deref(),
                    f.actual.as_deref(),
                )
            })
            .collect();
        use FindingKind as K;
        use Severity as S;
        assert_eq!(
            got,
            vec![
                (
                    K::QueryParameterRemoved,
                    S::Warning,
                    "listUsers",
                    Some("email"),
                    None
                ),
                (
                    K::QueryParameterAdded,
                    S::Info,
                    "listUsers",
                    None,
                    Some("lang")
                ),
                (
                    K::QueryParameterAdded,
                    S::Breaking,
                    "listUsers",
                    None,
                    Some("tenantScope")
                ),
                (
                    K::TypeChanged,
                    S::Breaking,
                    "listUsers",
                    Some("integer"),
                    Some("string")
                ),
                (
                    K::QueryParameterRenamed,
                    S::Breaking,
                    "createUser",
                    Some("supressMails"),
                    Some("suppressMails")
                ),
            ]
        );
    }

    #[test]
    fn documents_that_are_not_openapi_2_are_typed_errors() {
        let bad = |v: Value| check_against_contract(v.to_string().as_bytes()).unwrap_err();
        let e = check_against_contract(b"<html>not json").unwrap_err();
        assert_eq!((e.code(), e.document), ("INVALID_SPEC", "tenant"));
        assert!(e.reason.starts_with("not JSON"));
        assert_eq!(bad(json!([])).pointer, "");
        assert_eq!(bad(json!({ "openapi": "3.0.0" })).pointer, "/openapi");
        assert_eq!(bad(json!({ "swagger": 2 })).pointer, "/swagger");
        let mut t = contract();
        t["info"] = json!({ "title": "x" });
        assert_eq!(bad(t).pointer, "/info/version");
        let mut t = contract();
        t.as_object_mut().unwrap().remove("paths");
        assert_eq!(bad(t).pointer, "/paths");
        let mut t = contract();
        t["paths"]["/spec"]["get"]
            .as_object_mut()
            .unwrap()
            .remove("responses");
        assert_eq!(bad(t).pointer, "/paths/~1spec/get/responses");
        let mut t = contract();
        t["paths"]["/users/users"]["get"]["parameters"][0]["in"] = json!("cookie");
        assert_eq!(bad(t).pointer, "/paths/~1users~1users/get/parameters/0/in");
        let mut t = contract();
        t["paths"]["/spec"]["fetch"] = json!({});
        assert_eq!(bad(t).pointer, "/paths/~1spec/fetch");
        let mut t = contract();
        t["basePath"] = json!("api/v2");
        let e = bad(t);
        assert_eq!(e.pointer, "/basePath");
        assert_eq!(
            e.to_string(),
            "tenant spec is not a valid OpenAPI 2.0 document: at /basePath: must be a string starting with /"
        );
    }

    #[test]
    fn cyclic_references_end() {
        let mut t = contract();
        t["definitions"]["User"] = json!({ "$ref": "#/definitions/User" });
        let r = run(&t);
        assert!(!r.breaking, "{:#?}", r.findings);
        let mut t = contract();
        t["definitions"]["User"]["properties"]["self"] = json!({ "$ref": "#/definitions/User" });
        let mut c = contract();
        c["definitions"]["User"]["properties"]["self"] = json!({ "$ref": "#/definitions/User" });
        let r = compare(c.to_string().as_bytes(), t.to_string().as_bytes()).unwrap();
        assert_eq!(r.findings, vec![]);
    }

    #[test]
    fn every_operation_names_its_client_methods() {
        for (op, ..) in crate::api::ROUTES {
            assert!(!sdk_methods(*op).is_empty());
        }
    }
}
