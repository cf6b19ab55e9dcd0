//! Writes the contract the SDK embeds for drift checks (`src/drift.rs`): `spec/flexperto-v2.json`
//! without its prose and the keywords the comparison does not read (descriptions, examples,
//! formats, enums, defaults...), minified: 2 KB gzip in the wasm instead of 8 KB. Names in
//! `properties`, `definitions`, `paths`, `responses` and `parameters` maps are always kept.
use std::path::PathBuf;

use serde_json::{Map, Value};

const DROP: [&str; 21] = [
    "description",
    "summary",
    "example",
    "x-example",
    "tags",
    "externalDocs",
    "x-sdk-webhook-topics",
    "x-sdk-alternative-paths",
    "x-inferred-default",
    "x-sdk-admin-only",
    "default",
    "enum",
    "format",
    "pattern",
    "produces",
    "consumes",
    "securityDefinitions",
    "security",
    "maxLength",
    "minLength",
    "additionalProperties",
];

/// Maps whose keys are names (of properties, paths, definitions...), not keywords.
const NAMED: [&str; 5] = [
    "properties",
    "definitions",
    "paths",
    "responses",
    "parameters",
];

fn strip(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            let mut out = Map::new();
            for (k, x) in o {
                if DROP.contains(&k.as_str()) {
                    continue;
                }
                let kept = match x {
                    Value::Object(named) if NAMED.contains(&k.as_str()) => {
                        Value::Object(named.iter().map(|(n, y)| (n.clone(), strip(y))).collect())
                    }
                    other => strip(other),
                };
                out.insert(k.clone(), kept);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(strip).collect()),
        other => other.clone(),
    }
}

/// `operations! { Variant => "operationId", Method, "/base/path"; ... }` for every operation of
/// the contract, in its order (src/api/mod.rs includes it): the variant is the operationId with
/// its first letter upper-cased.
fn operations(doc: &Value) -> String {
    let base = doc.get("basePath").and_then(Value::as_str).unwrap_or("");
    let mut out = String::from("operations! {\n");
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        panic!("spec: no paths");
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let method = match method.as_str() {
                "get" => "Get",
                "post" => "Post",
                "patch" => "Patch",
                "delete" => "Delete",
                other => panic!("spec: {id}: method {other} is not supported"),
            };
            let mut chars = id.chars();
            let variant: String = match chars.next() {
                Some(c) if id.chars().all(|c| c.is_ascii_alphanumeric()) => {
                    c.to_ascii_uppercase().to_string() + chars.as_str()
                }
                _ => panic!("spec: operationId {id:?} is not an identifier"),
            };
            out.push_str(&format!(
                "    {variant} => {id:?}, {method}, \"{base}{path}\";\n"
            ));
        }
    }
    out.push_str("}\n");
    out
}

/// The definition a `$ref` names (`#/definitions/X`).
fn resolve<'a>(doc: &'a Value, reference: &str) -> &'a Value {
    let found = reference
        .strip_prefix("#/definitions/")
        .and_then(|name| doc.get("definitions")?.get(name));
    match found {
        Some(v) => v,
        None => panic!("spec: unresolved $ref {reference:?}"),
    }
}

/// A value of `schema` made from the contract alone, as stripe-mock answers: the `example` when
/// the schema has one, else the first `enum` value, else one made from the type (every property
/// of an object, one item of an array, a string in the declared format, the `minimum` of a
/// number). A string with a `pattern` needs an `example` (the contract says what matches).
fn sample(doc: &Value, schema: &Value, at: &str, depth: usize) -> Value {
    if depth > 16 {
        panic!("spec: {at}: schema nested too deep for a sample");
    }
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return sample(doc, resolve(doc, r), at, depth + 1);
    }
    if let Some(example) = schema.get("example") {
        return example.clone();
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    let ty = schema.get("type").and_then(Value::as_str);
    match ty {
        Some("object") | None => {
            let mut out = Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, p) in props {
                    out.insert(
                        name.clone(),
                        sample(doc, p, &format!("{at}.{name}"), depth + 1),
                    );
                }
            }
            Value::Object(out)
        }
        Some("array") => match schema.get("items") {
            Some(items) => Value::Array(vec![sample(doc, items, &format!("{at}[0]"), depth + 1)]),
            None => Value::Array(Vec::new()),
        },
        Some("string") => {
            if schema.get("pattern").is_some() {
                panic!("spec: {at}: a string with a pattern needs an example");
            }
            let s = match schema.get("format").and_then(Value::as_str) {
                Some("date-time") => "2026-01-01T00:00:00Z",
                Some("date") => "2026-01-01",
                Some("email") => "user@example.invalid",
                Some("uri") => "https://example.invalid/",
                _ => "string",
            };
            Value::from(s)
        }
        Some("integer") | Some("number") => {
            schema.get("minimum").cloned().unwrap_or(Value::from(0))
        }
        Some("boolean") => Value::Bool(false),
        Some(other) => panic!("spec: {at}: type {other} has no sample"),
    }
}

/// Every operation of the contract with the answer the contract gives it (its first success
/// status, a body made by [`sample`] from that response's schema, a `Location` from its header's
/// schema), as JSON: what the testing entry's fake answers an operation it keeps no state for.
fn answers(doc: &Value) -> String {
    let base = doc.get("basePath").and_then(Value::as_str).unwrap_or("");
    let mut out = Vec::new();
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (path, item) in &paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let responses = op.get("responses").and_then(Value::as_object);
            let success = responses.and_then(|r| {
                r.iter()
                    .find(|(status, _)| status.starts_with('2') || status.starts_with('3'))
            });
            let Some((status, response)) = success else {
                panic!("spec: {id}: no 2xx or 3xx response");
            };
            let Ok(status) = status.parse::<u16>() else {
                panic!("spec: {id}: status {status:?} is not a number");
            };
            let mut answer = Map::new();
            answer.insert("operationId".into(), Value::from(id));
            answer.insert("method".into(), Value::from(method.to_ascii_uppercase()));
            answer.insert("path".into(), Value::from(format!("{base}{path}")));
            answer.insert("status".into(), Value::from(status));
            if let Some(schema) = response.get("schema") {
                answer.insert("body".into(), sample(doc, schema, id, 0));
            }
            if let Some(location) = response.get("headers").and_then(|h| h.get("Location")) {
                answer.insert("location".into(), sample(doc, location, id, 0));
            }
            out.push(Value::Object(answer));
        }
    }
    Value::Array(out).to_string()
}

fn main() {
    let src = "spec/flexperto-v2.json";
    println!("cargo:rerun-if-changed={src}");
    println!("cargo:rerun-if-changed=build.rs");
    let text = match std::fs::read_to_string(src) {
        Ok(t) => t,
        Err(e) => panic!("{src}: {e}"),
    };
    let doc: Value = match serde_json::from_str(&text) {
        Ok(d) => d,
        Err(e) => panic!("{src}: {e}"),
    };
    let mut out = strip(&doc);
    // info keeps what a valid document needs.
    if let (Some(info), Value::Object(o)) = (doc.get("info"), &mut out) {
        let mut kept = Map::new();
        for k in ["title", "version"] {
            if let Some(v) = info.get(k) {
                kept.insert(k.into(), v.clone());
            }
        }
        o.insert("info".into(), Value::Object(kept));
    }
    let dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    if let Err(e) = std::fs::write(dir.join("contract.json"), out.to_string()) {
        panic!("OUT_DIR/contract.json: {e}");
    }
    if let Err(e) = std::fs::write(dir.join("operations.rs"), operations(&doc)) {
        panic!("OUT_DIR/operations.rs: {e}");
    }
    if let Err(e) = std::fs::write(dir.join("answers.json"), answers(&doc)) {
        panic!("OUT_DIR/answers.json: {e}");
    }
}
