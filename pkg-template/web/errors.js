// @ts-check
// The errors the hand-written JS throws for its own I/O, shaped as the wasm core's
// (src/wasm/errors.rs): an `Error` with a `name` and a `code`, so that isFlexpertoError accepts
// them, plus fields of its own. Errors that carry a decision (a status's code, a refused option)
// come from the wasm core itself.
import { isPathFault } from "./flexperto_sdk.js";

/**
 * @param {string} name
 * @param {string} code
 * @param {string} message
 * @param {Record<string, unknown>} [extra]
 * @returns {Error & { code: string }}
 */
export function sdkError(name, code, message, extra) {
  const e = /** @type {Error & { code: string }} */ (new Error(message));
  e.name = name;
  e.code = code;
  return extra === undefined ? e : Object.assign(e, extra);
}

/**
 * A bad argument to a method: `ValidationError` code `INVALID_ARGUMENT`, naming the field.
 * @param {string} field
 * @param {string} reason
 */
export function argumentError(field, reason) {
  return sdkError("ValidationError", "INVALID_ARGUMENT", `${field}: ${reason}`, { field });
}

/**
 * A value whose reading threw (a throwing getter, a Proxy trap, a revoked Proxy): the
 * `ValidationError` of `field`, with the thrown value as its `cause`.
 * @param {string} field
 * @param {unknown} cause
 */
export function unreadable(field, cause) {
  return Object.assign(argumentError(field, "cannot be read (a getter or Proxy trap threw)"), { cause });
}

/**
 * An archive that cannot be read as the zip it claims to be: `ArchiveError` with `code`.
 * @param {string} code
 * @param {string} message
 */
export function archiveError(code, message) {
  return sdkError("ArchiveError", code, message);
}

/**
 * What an I/O failure on a path argument throws: the `ValidationError` of `field`
 * (`"{field}: {what}: {message}"`, the failure its `cause`) when the wasm core says the failure is
 * the path's fault (isPathFault of its code: no such file, a folder, no permission, ...), else the
 * failure itself, unchanged (no more file handles, a disk error, a busy database).
 * @param {string} field
 * @param {string} what
 * @param {any} error
 */
export function pathError(field, what, error) {
  return isPathFault(String(error?.code)) ? Object.assign(argumentError(field, `${what}: ${error?.message}`), { cause: error }) : error;
}
