//! Arguments from JavaScript into Rust types: a safe copy of the value, then serde-wasm-bindgen
//! with the path of a bad field (`participants[1].email`) and unknown keys refused.
//!
//! 1. [`snapshot`] copies the argument with catching reflection only (`Reflect.ownKeys`,
//!    `Reflect.get`, `Reflect.getPrototypeOf`): a throwing getter or a Proxy trap becomes a
//!    `ValidationError`, never an exception through the wasm. Plain objects and arrays are copied,
//!    a `Date` becomes its epoch milliseconds, keys holding `undefined` are left out (TypeScript's
//!    optional fields), and any other object (a class instance, a Map) is refused.
//! 2. [`Strict`] reads the copy: a struct as a map (serde-wasm-bindgen reads only a struct's own
//!    fields, so `deny_unknown_fields` would never see an unknown key otherwise), objects and
//!    arrays walked here, primitives through serde-wasm-bindgen's deserializer.
//! 3. The failing field is named from positions only: while reading, each open object or array
//!    keeps the index of its current entry ([`AT`], updated by non-generic functions), and on an
//!    error the indices are turned into names by looking them up in the copy. This replaced
//!    `serde_path_to_error`, whose wrapping of every visitor was compiled once per input type:
//!    measured 2026-11-29 (node build, wasm-opt, gzip -9), see bench/README.md.

use std::cell::RefCell;

use js_sys::{Array, Object, Reflect};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor,
};
use wasm_bindgen::prelude::*;

use crate::error::{Error, ValidationError};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Array, js_name = isArray, catch)]
    pub(super) fn is_array_checked(v: &JsValue) -> Result<bool, JsValue>;
}

/// Deepest nesting an argument may have.
const MAX_DEPTH: u32 = 16;

fn invalid(field: &str, reason: impl Into<String>) -> Error {
    ValidationError::InvalidArgument {
        field: field.to_owned(),
        reason: reason.into(),
    }
    .into()
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The prototype of `v`, through the catching `Reflect.getPrototypeOf`.
fn proto(v: &JsValue) -> Result<JsValue, ()> {
    Reflect::get_prototype_of(v)
        .map(JsValue::from)
        .map_err(|_| ())
}

fn lookup_proto(name: &str) -> JsValue {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .and_then(|c| Reflect::get(&c, &JsValue::from_str("prototype")))
        .unwrap_or(JsValue::UNDEFINED)
}

thread_local! {
    /// `Object.prototype`, `Date.prototype` and `AbortSignal.prototype`, each looked up once, on
    /// its first use: in Node, touching `AbortSignal` loads a module of its own, which a call
    /// without a signal never needs. The first constructor took 2.64 ms instead of 2.89-2.93 ms
    /// (medians of 25 fresh processes, two runs, 2026-11-30) once the three were no longer looked
    /// up together.
    static OBJECT_PROTO: JsValue = lookup_proto("Object");
    static DATE_PROTO: JsValue = lookup_proto("Date");
    static ABORT_SIGNAL_PROTO: JsValue = lookup_proto("AbortSignal");
}

fn global_proto(name: &str) -> JsValue {
    match name {
        "Object" => OBJECT_PROTO.with(JsValue::clone),
        "Date" => DATE_PROTO.with(JsValue::clone),
        _ => ABORT_SIGNAL_PROTO.with(JsValue::clone),
    }
}

/// Whether `v` is a real `AbortSignal` (its own `aborted` getter answers), checked without an
/// exception escaping.
pub(super) fn is_abort_signal(v: &JsValue) -> bool {
    if !v.is_object() {
        return false;
    }
    let target = global_proto("AbortSignal");
    let mut p = proto(v);
    let mut found = false;
    for _ in 0..8 {
        match p {
            Ok(x) if x.is_null() => break,
            Ok(x) if x == target => {
                found = true;
                break;
            }
            Ok(x) => p = proto(&x),
            Err(()) => return false,
        }
    }
    // The getter checks its receiver: a Proxy or a look-alike throws here, and is refused.
    found && Reflect::get(v, &JsValue::from_str("aborted")).is_ok_and(|a| a.as_bool().is_some())
}

thread_local! {
    /// What the last getter or Proxy trap that [`snapshot`] could not read threw: the `cause` of
    /// the typed error (src/wasm/js_options.rs attaches it).
    static THROWN: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// Takes what the last unreadable value threw (see [`THROWN`]).
pub(super) fn take_thrown() -> Option<JsValue> {
    THROWN.with(|t| t.borrow_mut().take())
}

/// A copy of `v` made of primitives, plain objects and arrays only (see the module doc).
pub(super) fn snapshot(v: &JsValue, path: &str, depth: u32) -> Result<JsValue, Error> {
    if !v.is_object() {
        // Primitives (and functions, symbols, BigInts) are kept: deserializing them into a
        // field of another type fails with a typed error.
        return Ok(v.clone());
    }
    let here = if path.is_empty() { "argument" } else { path };
    if depth >= MAX_DEPTH {
        return Err(invalid(here, "is nested too deeply"));
    }
    let unreadable = |thrown: JsValue| {
        THROWN.with(|t| *t.borrow_mut() = Some(thrown));
        invalid(here, "cannot be read (a getter or Proxy trap threw)")
    };
    if is_array_checked(v).map_err(unreadable)? {
        let len = Reflect::get(v, &JsValue::from_str("length"))
            .map_err(unreadable)?
            .as_f64()
            .unwrap_or(0.0);
        if !(0.0..=100_000.0).contains(&len) {
            return Err(invalid(here, "has too many elements"));
        }
        let out = Array::new();
        for i in 0..len as u32 {
            let item = Reflect::get_u32(v, i).map_err(unreadable)?;
            if item.is_object() {
                out.push(&snapshot(&item, &format!("{path}[{i}]"), depth + 1)?);
            } else {
                out.push(&item);
            }
        }
        return Ok(out.into());
    }
    let p = proto(v).map_err(|()| unreadable(JsValue::UNDEFINED))?;
    if p == global_proto("Date") {
        let get_time = Reflect::get(&p, &JsValue::from_str("getTime")).map_err(unreadable)?;
        let ms = Reflect::apply(
            get_time.unchecked_ref::<js_sys::Function>(),
            v,
            &Array::new(),
        )
        .map_err(unreadable)?;
        return Ok(ms);
    }
    if !(p.is_null() || p == global_proto("Object")) {
        return Err(invalid(here, "must be a plain object"));
    }
    let out = Object::new();
    for key in Reflect::own_keys(v).map_err(unreadable)?.iter() {
        if !key.is_string() {
            continue; // symbol keys are not data
        }
        let value = Reflect::get(v, &key).map_err(unreadable)?;
        if value.is_undefined() {
            continue;
        }
        // A primitive is kept as it is, without its key's name or path being made (the common
        // case: they are made only for a nested object or array).
        let copied = if !value.is_object() || (depth == 0 && is_abort_signal(&value)) {
            value // per-call options: the signal is kept as it is
        } else {
            let name = key.as_string().unwrap_or_default();
            snapshot(&value, &join(path, &name), depth + 1)?
        };
        Reflect::set(&out, &key, &copied).map_err(unreadable)?;
    }
    Ok(out.into())
}

/// Reads the argument `arg` (named `name` in errors) as a `T`. `undefined` and `null` read as
/// an absent value (a `T` with defaults for optional arguments).
pub(super) fn from_js<T: DeserializeOwned>(arg: &JsValue, name: &str) -> Result<T, Error> {
    // Every argument read here is an object (a struct); anything else is refused by name.
    if !arg.is_object() || is_array_checked(arg).unwrap_or(true) {
        return Err(invalid(name, "must be an object"));
    }
    let copy = snapshot(arg, "", 0).map_err(|e| rename_root(e, name))?;
    read(copy, name)
}

/// Deserializes a value already made by [`snapshot`].
pub(super) fn read<T: DeserializeOwned>(copy: JsValue, name: &str) -> Result<T, Error> {
    reset();
    T::deserialize(Strict(copy.clone())).map_err(|e| bad_field(&copy, &e.to_string(), name))
}

/// The typed error of a failed [`read`] of `copy`, its field found from [`AT`] (non-generic).
#[inline(never)]
fn bad_field(copy: &JsValue, message: &str, name: &str) -> Error {
    let path = path_in(copy);
    // An unknown key, or a wrong type of the argument itself, is the argument's fault;
    // otherwise the path names the field.
    let missing = message
        .find("missing field `")
        .map(|i| &message[i + "missing field `".len()..]);
    let field = if let Some(rest) = missing {
        let key = rest.split('`').next().unwrap_or_default();
        if path == "." {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    } else if path == "." || message.contains("unknown field") {
        parent(&path, name)
    } else {
        path
    };
    invalid(&field, message)
}

thread_local! {
    /// Per object or array being read, outermost first: the index of its current entry
    /// (`u32::MAX` before the first). A finished one is popped; a failed read leaves the
    /// position of the failure.
    static AT: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

#[inline(never)]
fn reset() {
    AT.with(|a| a.borrow_mut().clear());
}

#[inline(never)]
fn enter() {
    AT.with(|a| a.borrow_mut().push(u32::MAX));
}

#[inline(never)]
fn step() {
    AT.with(|a| {
        if let Some(i) = a.borrow_mut().last_mut() {
            *i = i.wrapping_add(1);
        }
    });
}

#[inline(never)]
fn leave() {
    AT.with(|a| {
        a.borrow_mut().pop();
    });
}

/// The path (`participants[1].email`, `.` for the argument itself) that [`AT`] points to in
/// `copy`; an index past the end (a missing field, a short array) names its container.
fn path_in(copy: &JsValue) -> String {
    let at = AT.with(|a| a.borrow().clone());
    let mut out = String::new();
    let mut v = copy.clone();
    for i in at {
        if !v.is_object() {
            break;
        }
        if is_array_checked(&v).unwrap_or(false) {
            let len = Reflect::get(&v, &JsValue::from_str("length"))
                .ok()
                .and_then(|l| l.as_f64())
                .unwrap_or(0.0);
            if f64::from(i) >= len {
                break;
            }
            out.push_str(&format!("[{i}]"));
            v = Reflect::get_u32(&v, i).unwrap_or(JsValue::UNDEFINED);
        } else {
            let keys = Object::keys(v.unchecked_ref::<Object>());
            if i >= keys.length() {
                break;
            }
            let key = keys.get(i);
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&key.as_string().unwrap_or_default());
            v = Reflect::get(&v, &key).unwrap_or(JsValue::UNDEFINED);
        }
    }
    if out.is_empty() {
        ".".to_owned()
    } else {
        out
    }
}

fn parent(path: &str, name: &str) -> String {
    if path == "." {
        return name.to_owned();
    }
    match path.rfind(['.', '[']) {
        Some(i) => path[..i].to_owned(),
        None => name.to_owned(),
    }
}

fn rename_root(e: Error, name: &str) -> Error {
    match e {
        Error::Validation(ValidationError::InvalidArgument { field, reason })
            if field == "argument" =>
        {
            invalid(name, reason)
        }
        other => other,
    }
}

/// The copy being read, at any depth (see the module doc). Objects and arrays are walked here,
/// through [`Entries`] and [`Items`]; primitives are handed to serde-wasm-bindgen. Walking them
/// here, rather than through serde-wasm-bindgen's `deserialize_map`/`deserialize_seq`, compiles
/// each input type's visitor once: serde-wasm-bindgen instantiates every visitor for two map
/// readers (JS `Map` iterables and plain objects) and two sequence readers, and a snapshot holds
/// only plain objects and arrays. Measured 2026-11-29 (bench/README.md).
struct Strict(JsValue);

type SwbError = serde_wasm_bindgen::Error;

impl Strict {
    fn swb(self) -> serde_wasm_bindgen::Deserializer {
        serde_wasm_bindgen::Deserializer::from(self.0)
    }

    /// A plain object of the copy (not an array, not `null`).
    fn is_object(&self) -> bool {
        self.0.is_object() && !Array::is_array(&self.0)
    }

    fn map<'de, V: Visitor<'de>>(self, v: V) -> Result<V::Value, SwbError> {
        if !self.is_object() {
            return Err(wrong_type(&self.0, &v));
        }
        let keys = Object::keys(self.0.unchecked_ref::<Object>());
        enter();
        let r = v.visit_map(Entries {
            obj: self.0,
            keys,
            next: 0,
            value: JsValue::UNDEFINED,
        });
        if r.is_ok() {
            leave();
        }
        r
    }

    fn seq<'de, V: Visitor<'de>>(self, v: V) -> Result<V::Value, SwbError> {
        if !Array::is_array(&self.0) {
            return Err(wrong_type(&self.0, &v));
        }
        let items: Array = self.0.unchecked_into();
        enter();
        let r = v.visit_seq(Items { items, next: 0 });
        if r.is_ok() {
            leave();
        }
        r
    }
}

/// The "invalid type" error for a value of the copy (non-generic).
#[inline(never)]
fn wrong_type(v: &JsValue, expected: &dyn de::Expected) -> SwbError {
    let text;
    let unexpected = if v.is_undefined() || v.is_null() {
        de::Unexpected::Unit
    } else if let Some(b) = v.as_bool() {
        de::Unexpected::Bool(b)
    } else if let Some(f) = v.as_f64() {
        de::Unexpected::Float(f)
    } else if let Some(s) = v.as_string() {
        text = s;
        de::Unexpected::Str(&text)
    } else if Array::is_array(v) {
        de::Unexpected::Seq
    } else if v.is_object() {
        de::Unexpected::Map
    } else if v.is_bigint() {
        de::Unexpected::Other("a BigInt")
    } else if v.is_symbol() {
        de::Unexpected::Other("a Symbol")
    } else {
        de::Unexpected::Other("a function")
    };
    de::Error::invalid_type(unexpected, expected)
}

/// The entries of a plain object of the copy, in `Object.keys` order (the order [`path_in`]
/// counts in).
struct Entries {
    obj: JsValue,
    keys: Array,
    next: u32,
    value: JsValue,
}

impl Entries {
    /// The next key (its value kept for `next_value_seed`), or `None` at the end. Not generic:
    /// compiled once, not once per struct read (measured 2026-11-29, bench/README.md).
    #[inline(never)]
    fn advance(&mut self) -> Option<JsValue> {
        // Counted before the end is seen: an index past the end names the object itself (a
        // missing field).
        step();
        if self.next >= self.keys.length() {
            return None;
        }
        let key = self.keys.get(self.next);
        self.next += 1;
        self.value = Reflect::get(&self.obj, &key).unwrap_or(JsValue::UNDEFINED);
        Some(key)
    }
}

impl<'de> MapAccess<'de> for Entries {
    type Error = SwbError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, SwbError> {
        match self.advance() {
            Some(key) => seed.deserialize(Strict(key)).map(Some),
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, SwbError> {
        seed.deserialize(Strict(std::mem::take(&mut self.value)))
    }
    fn size_hint(&self) -> Option<usize> {
        Some((self.keys.length() - self.next) as usize)
    }
}

/// The elements of an array of the copy.
struct Items {
    items: Array,
    next: u32,
}

impl Items {
    /// The next element, or `None` at the end (not generic, as [`Entries::advance`]).
    #[inline(never)]
    fn advance(&mut self) -> Option<JsValue> {
        step();
        if self.next >= self.items.length() {
            return None;
        }
        let item = self.items.get(self.next);
        self.next += 1;
        Some(item)
    }
}

impl<'de> SeqAccess<'de> for Items {
    type Error = SwbError;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, SwbError> {
        match self.advance() {
            Some(item) => seed.deserialize(Strict(item)).map(Some),
            None => Ok(None),
        }
    }
    fn size_hint(&self) -> Option<usize> {
        Some((self.items.length() - self.next) as usize)
    }
}

/// An externally tagged enum's object of the copy: its one key and that key's value.
struct Variant(JsValue, JsValue);

impl<'de> de::EnumAccess<'de> for Variant {
    type Error = SwbError;
    type Variant = Strict;
    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Strict), SwbError> {
        Ok((seed.deserialize(Strict(self.0))?, Strict(self.1)))
    }
}

impl<'de> de::VariantAccess<'de> for Strict {
    type Error = SwbError;
    fn unit_variant(self) -> Result<(), SwbError> {
        de::Deserialize::deserialize(self)
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, SwbError> {
        seed.deserialize(self)
    }
    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, SwbError> {
        self.seq(v)
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, SwbError> {
        self.map(v)
    }
}

macro_rules! forward_plain {
    ($($f:ident),*) => {$(
        fn $f<V: Visitor<'de>>(self, v: V) -> Result<V::Value, SwbError> {
            self.swb().$f(v)
        }
    )*};
}

impl<'de> Deserializer<'de> for Strict {
    type Error = SwbError;
    forward_plain!(
        deserialize_bool,
        deserialize_i8,
        deserialize_i16,
        deserialize_i32,
        deserialize_i64,
        deserialize_u8,
        deserialize_u16,
        deserialize_u32,
        deserialize_u64,
        deserialize_f32,
        deserialize_f64,
        deserialize_char,
        deserialize_str,
        deserialize_string,
        deserialize_bytes,
        deserialize_byte_buf,
        deserialize_unit,
        deserialize_identifier,
        deserialize_ignored_any
    );
    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, SwbError> {
        let x = &self.0;
        if x.is_undefined() || x.is_null() {
            v.visit_unit()
        } else if let Some(b) = x.as_bool() {
            v.visit_bool(b)
        } else if let Some(f) = x.as_f64() {
            if js_sys::Number::is_safe_integer(x) {
                v.visit_i64(f as i64)
            } else {
                v.visit_f64(f)
            }
        } else if let Some(s) = x.as_string() {
            v.visit_string(s)
        } else if Array::is_array(x) {
            self.seq(v)
        } else if self.is_object() {
            self.map(v)
        } else if x.is_bigint() {
            match i64::try_from(self.0) {
                Ok(i) => v.visit_i64(i),
                Err(big) => match u64::try_from(big) {
                    Ok(u) => v.visit_u64(u),
                    Err(big) => Err(wrong_type(&big, &v)),
                },
            }
        } else {
            Err(wrong_type(x, &v))
        }
    }
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, SwbError> {
        if self.0.is_undefined() || self.0.is_null() {
            v.visit_none()
        } else {
            v.visit_some(self)
        }
    }
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, SwbError> {
        self.seq(v)
    }
    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, SwbError> {
        self.map(v)
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        n: &'static str,
        v: V,
    ) -> Result<V::Value, SwbError> {
        self.swb().deserialize_unit_struct(n, v)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, SwbError> {
        v.visit_newtype_struct(self)
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, SwbError> {
        self.seq(v)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        n: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, SwbError> {
        // serde-wasm-bindgen's own: `serde_wasm_bindgen::preserve` fields arrive here.
        self.swb().deserialize_tuple_struct(n, len, v)
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, SwbError> {
        // As a map: every key is seen, so `deny_unknown_fields` can refuse unknown ones.
        self.map(v)
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, SwbError> {
        // As serde-wasm-bindgen reads an enum (a unit variant by its name, any other as
        // `{ variant: payload }`), but read here, so that each enum's visitor is compiled once
        // and a struct variant's payload is read as a struct (unknown keys refused, its path
        // kept: `event.record.status`).
        if self.0.is_string() {
            return v.visit_enum(Variant(self.0, JsValue::UNDEFINED));
        }
        if !self.is_object() {
            return Err(wrong_type(&self.0, &v));
        }
        let keys = Object::keys(self.0.unchecked_ref::<Object>());
        if keys.length() != 1 {
            return Err(de::Error::invalid_length(keys.length() as usize, &"1"));
        }
        enter();
        step();
        let tag = keys.get(0);
        let payload = Reflect::get(&self.0, &tag).unwrap_or(JsValue::UNDEFINED);
        let r = v.visit_enum(Variant(tag, payload));
        if r.is_ok() {
            leave();
        }
        r
    }
    fn is_human_readable(&self) -> bool {
        true
    }
}
