//! Arguments from JavaScript into Rust types: a safe copy of the value, then serde-wasm-bindgen
//! with the path of a bad field (`participants[1].email`) and unknown keys refused.
//!
//! 1. [`snapshot`] copies the argument with catching reflection only (`Reflect.ownKeys`,
//!    `Reflect.get`, `Reflect.getPrototypeOf`): a throwing getter or a Proxy trap becomes a
//!    `ValidationError`, never an exception through the wasm. Plain objects and arrays are copied,
//!    a `Date` becomes its epoch milliseconds, keys holding `undefined` are left out (TypeScript's
//!    optional fields), and any other object (a class instance, a Map) is refused.
//! 2. [`Strict`] wraps the serde-wasm-bindgen deserializer so that a struct is read as a map:
//!    serde-wasm-bindgen reads only a struct's own fields, so `deny_unknown_fields` would never
//!    see an unknown key otherwise.
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
    /// `Object.prototype`, `Date.prototype` and `AbortSignal.prototype`, looked up once.
    static PROTOS: [JsValue; 3] = [lookup_proto("Object"), lookup_proto("Date"), lookup_proto("AbortSignal")];
}

fn global_proto(name: &str) -> JsValue {
    let i = match name {
        "Object" => 0,
        "Date" => 1,
        _ => 2,
    };
    PROTOS.with(|p| p[i].clone())
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
    let unreadable = |_: JsValue| invalid(here, "cannot be read (a getter or Proxy trap threw)");
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
            out.push(&snapshot(&item, &format!("{path}[{i}]"), depth + 1)?);
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
        let Some(name) = key.as_string() else {
            continue; // symbol keys are not data
        };
        let value = Reflect::get(v, &key).map_err(unreadable)?;
        if value.is_undefined() {
            continue;
        }
        let copied = if depth == 0 && is_abort_signal(&value) {
            value // per-call options: the signal is kept as it is
        } else {
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
    let de = Strict(serde_wasm_bindgen::Deserializer::from(copy.clone()));
    T::deserialize(de).map_err(|e| bad_field(&copy, &e.to_string(), name))
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

/// Reads a struct as a map, at every depth (see the module doc).
struct Strict<D>(D);

struct Wrap<V>(V);

struct Seed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<S> {
    type Value = S::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Strict(d))
    }
}

struct WrapSeq<A>(A);

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for WrapSeq<A> {
    type Error = A::Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        step();
        self.0.next_element_seed(Seed(seed))
    }
    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

struct WrapMap<A>(A);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for WrapMap<A> {
    type Error = A::Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        step();
        self.0.next_key_seed(seed)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.0.next_value_seed(Seed(seed))
    }
    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

macro_rules! forward_visit {
    ($($f:ident($t:ty)),*) => {$(
        fn $f<E: de::Error>(self, v: $t) -> Result<Self::Value, E> {
            self.0.$f(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Wrap<V> {
    type Value = V::Value;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        self.0.expecting(f)
    }
    forward_visit!(
        visit_bool(bool),
        visit_i64(i64),
        visit_u64(u64),
        visit_f64(f64),
        visit_str(&str),
        visit_string(String),
        visit_bytes(&[u8]),
        visit_byte_buf(Vec<u8>),
        visit_i32(i32),
        visit_u32(u32),
        visit_char(char)
    );
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        self.0.visit_borrowed_str(v)
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_none()
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        self.0.visit_unit()
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.visit_some(Strict(d))
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.visit_newtype_struct(Strict(d))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
        enter();
        let r = self.0.visit_seq(WrapSeq(a));
        if r.is_ok() {
            leave();
        }
        r
    }
    fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
        enter();
        let r = self.0.visit_map(WrapMap(a));
        if r.is_ok() {
            leave();
        }
        r
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, a: A) -> Result<Self::Value, A::Error> {
        self.0.visit_enum(a)
    }
}

macro_rules! forward_plain {
    ($($f:ident),*) => {$(
        fn $f<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
            self.0.$f(v)
        }
    )*};
}

macro_rules! forward_wrapped {
    ($($f:ident),*) => {$(
        fn $f<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
            self.0.$f(Wrap(v))
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<D> {
    type Error = D::Error;
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
    forward_wrapped!(
        deserialize_any,
        deserialize_option,
        deserialize_seq,
        deserialize_map
    );
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        n: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit_struct(n, v)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        n: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(n, Wrap(v))
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple(len, Wrap(v))
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        n: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_tuple_struct(n, len, Wrap(v))
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        // As a map: every key is seen, so `deny_unknown_fields` can refuse unknown ones.
        self.0.deserialize_map(Wrap(v))
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        n: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(n, variants, v)
    }
    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}
