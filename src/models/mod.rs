//! Wire models, one file per resource. Field names are the API's own; unknown fields are kept
//! (each model carries its raw JSON text), required fields are checked, optional ones are typed
//! when present.

pub mod archives;
pub mod meetings;
pub mod settings;
pub mod subscriptions;
pub mod tokens;
pub mod users;

use serde::de::{self, Visitor};
use serde::Deserializer;

/// How a JSON value's type reads in an error message: "a string", "an object", "null"...
pub(crate) fn json_kind(v: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Deserializes an id given as a JSON string or integer into a `String`. A visitor of its own,
/// not an `untagged` enum: serde reads those through its `Content` buffer (measured 2026-11-30,
/// bench/README.md).
pub(crate) fn id_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct Id;
    impl Visitor<'_> for Id {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string or an integer id")
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<String, E> {
            Ok(s.to_owned())
        }
        fn visit_string<E: de::Error>(self, s: String) -> Result<String, E> {
            Ok(s)
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<String, E> {
            Ok(n.to_string())
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<String, E> {
            Ok(n.to_string())
        }
    }
    d.deserialize_any(Id)
}

/// Whether `email` is a well-formed address (a pragmatic subset of RFC 5321: `local@domain`, no
/// quoting, no white space, a dotted domain of letters, digits and hyphens).
pub fn is_valid_email(email: &str) -> bool {
    if email.len() > 254 {
        return false;
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return false;
    };
    if local.is_empty()
        || local.len() > 64
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
    {
        return false;
    }
    let local_ok = local
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&b));
    if !local_ok {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in [
            "max.mustermann@example.invalid",
            "a+b@x.de",
            "A_b-1@sub.domain.co",
        ] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "x",
            "@x.de",
            "a@",
            "a@b",
            "a b@x.de",
            "a@x..de",
            ".a@x.de",
            "a@-x.de",
            "a@x.de\n",
            "a\"b@x.de",
            "a@x_y.de",
        ] {
            assert!(!is_valid_email(bad), "{bad:?}");
        }
    }
}
