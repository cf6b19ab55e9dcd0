//! The archive bindings' small option objects into `Deserialize` structs (camelCase, unknown keys
//! refused) through their JSON text; every other argument is read by `super::input`.
//!
//! serde_json reads the text as a map, but a key the struct lacks is refused here first, by
//! name, with the struct's field names (asked from the struct's own `Deserialize` impl).

use js_sys::{Object, Reflect};
use serde::de::{self, Deserialize, Deserializer, Visitor};
use wasm_bindgen::prelude::*;

use super::errors;
use crate::error::{Error, ValidationError};

fn invalid(field: &str, reason: String) -> JsValue {
    errors::to_js(&Error::Validation(ValidationError::InvalidArgument {
        field: field.into(),
        reason,
    }))
}

/// A deserializer that only records the field names a struct asks for.
struct FieldNames<'a>(&'a mut &'static [&'static str]);

#[derive(Debug)]
struct Stop;

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("field names recorded")
    }
}

impl std::error::Error for Stop {}

impl de::Error for Stop {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Stop
    }
}

impl<'de> Deserializer<'de> for FieldNames<'_> {
    type Error = Stop;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
        Err(Stop)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Stop> {
        *self.0 = fields;
        Err(Stop)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

#[wasm_bindgen]
extern "C" {
    /// `Array.isArray`, whose exception (a revoked Proxy) is caught.
    #[wasm_bindgen(js_namespace = Array, js_name = isArray, catch)]
    fn is_array_catching(v: &JsValue) -> Result<bool, JsValue>;
}

/// The (renamed) field names of struct `T`.
fn field_names<T: for<'de> Deserialize<'de>>() -> &'static [&'static str] {
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(FieldNames(&mut fields));
    fields
}

/// Checks that `v` is `undefined`, `null` or a plain object whose own keys are all fields of `T`.
/// Answers whether it is an object.
fn known_keys<T: for<'de> Deserialize<'de>>(v: &JsValue, field: &str) -> Result<bool, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(false);
    }
    // The catching Array.isArray and Reflect.ownKeys: a revoked or hostile Proxy is refused.
    if !v.is_object() || is_array_catching(v).unwrap_or(true) || v.is_function() {
        return Err(invalid(field, "must be an object".into()));
    }
    let known = field_names::<T>();
    let keys = Reflect::own_keys(v).map_err(|_| {
        invalid(
            field,
            "cannot be read (a getter or Proxy trap threw)".into(),
        )
    })?;
    for k in keys.iter() {
        let Some(k) = k.as_string() else {
            continue; // symbol keys are not options
        };
        if !known.contains(&k.as_str()) {
            return Err(invalid(
                field,
                format!("unknown option {k:?} (known: {})", known.join(", ")),
            ));
        }
    }
    Ok(true)
}

/// Reads an options object (`undefined` and `null`: every default) into `T` through its JSON
/// text (`JSON.stringify`, then serde_json): for small option objects, where serde-wasm-bindgen
/// would cost more wasm than it saves (see `archive.rs`). JSON has no functions, symbols, NaN or infinities: such values are refused
/// first (a function only where `functions` names the key, and then left to the caller, as JSON
/// leaves it out); BigInts, cycles and throwing getters are refused by `JSON.stringify`, with the
/// same typed error.
pub fn from_json<T: for<'de> Deserialize<'de> + Default>(
    v: &JsValue,
    field: &str,
    functions: &[&str],
) -> Result<T, JsValue> {
    if !known_keys::<T>(v, field)? {
        return Ok(T::default());
    }
    for k in Object::keys(v.unchecked_ref::<Object>()).iter() {
        let name = k.as_string().unwrap_or_default();
        let x =
            js_sys::Reflect::get(v, &k).map_err(|_| invalid(&name, "could not be read".into()))?;
        let bad = if x.is_function() {
            !functions.contains(&name.as_str())
        } else {
            x.is_symbol() || x.as_f64().is_some_and(|n| !n.is_finite())
        };
        if bad {
            return Err(invalid(&name, "has a value of the wrong kind".into()));
        }
    }
    let text = js_sys::JSON::stringify(v)
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| {
            invalid(
                field,
                "must hold plain data (numbers, strings, booleans)".into(),
            )
        })?;
    serde_json::from_slice(text.as_bytes()).map_err(|e| invalid(field, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Default)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        max_resumes: Option<u32>,
        page_size: Option<u32>,
    }

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn names_of_a_struct() {
        assert_eq!(field_names::<Sample>(), &["maxResumes", "pageSize"]);
    }
}
