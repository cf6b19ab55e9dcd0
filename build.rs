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
}
