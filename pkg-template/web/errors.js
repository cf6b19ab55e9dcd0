// The errors the hand-written JS throws, shaped as the wasm core's (src/wasm/errors.rs): an
// `Error` with a `name` and a `code`, so that isFlexpertoError accepts them, plus fields of its own.

export function sdkError(name, code, message, extra) {
  const e = new Error(message);
  e.name = name;
  e.code = code;
  return extra === undefined ? e : Object.assign(e, extra);
}

/** A bad argument to a method: `ValidationError` code `INVALID_ARGUMENT`, naming the field. */
export function argumentError(field, reason) {
  return sdkError("ValidationError", "INVALID_ARGUMENT", `${field}: ${reason}`, { field });
}
