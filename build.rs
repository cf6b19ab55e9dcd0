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
}
