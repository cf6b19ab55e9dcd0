// @ts-check
// WebhookVerifier: the wasm class, composed with the object form of verify(delivery) and the
// WebhookEvent objects, in JavaScript: reading a delivery's properties and headers is cheap here
// and costly across the wasm boundary, so the wasm side takes the parts in one call
// (webhookVerifyParts) and leaves the event's fields as one text in its memory, with their
// offsets, which this side reads without another call. No wasm object, and no copy of the body in
// wasm memory, outlives the call. Every decision (secret, address, content type, size, JSON,
// schema) is the wasm core's; this file only reads the delivery and the result.
import { WebhookVerifier as WasmWebhookVerifier, wasmMemory, webhookResultAddress, webhookVerifyParts } from "./flexperto_sdk.js";
import { argumentError, sdkError } from "./errors.js";

/** What readEvent passes: a WebhookEvent is made by WebhookVerifier.verify() only. */
const MADE = Symbol("WebhookEvent");

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/** @param {string} code @param {string} message */
function webhookError(code, message) {
  return sdkError("WebhookError", code, message);
}

/**
 * @param {any} headers a Headers object or Node's req.headers
 * @param {string} name
 * @returns {string | undefined}
 */
function headerValue(headers, name) {
  if (headers === null || headers === undefined) return undefined;
  const v = typeof headers.get === "function" ? headers.get(name) : headers[name];
  if (v === null || v === undefined) return undefined;
  return Array.isArray(v) ? v.join(", ") : String(v);
}

// Where verifyParts leaves its result in wasm memory (u32 words; see src/wasm/webhooks.rs).
const NONE = 0xffffffff;
const FIELDS = ["topic", "notificationId", "archiveId", "conferenceId", "sha256CheckSum", "sourceAddress", "dedupeKey"];
// Node's Buffer (not a bundler's polyfill, which lacks latin1Slice) reads ASCII fastest.
const HAS_BUFFER = typeof Buffer === "function" && typeof Buffer.from === "function" && typeof Buffer.prototype.latin1Slice === "function";

/** A verified delivery; `payload` is parsed from the raw body on first use. */
export class WebhookEvent {
  /** @type {Uint8Array} */
  #body;
  /** @type {Record<string, unknown> | undefined} */
  #payload;

  /**
   * @param {Record<string, string | number>} fields
   * @param {Uint8Array} body
   * @param {symbol} made
   */
  constructor(fields, body, made) {
    if (made !== MADE) throw argumentError("WebhookEvent", "is made by WebhookVerifier.verify(), not with new");
    Object.assign(this, fields);
    this.#body = body;
  }

  get payload() {
    if (this.#payload === undefined) this.#payload = JSON.parse(decoder.decode(this.#body));
    return this.#payload;
  }

  toJSON() {
    return { ...this };
  }
}

// Views of the wasm memory, made anew when it grows (growing detaches the old buffer).
class MemoryViews {
  constructor() {
    /** @type {WebAssembly.Memory | null} */
    this.memory = null;
    this.u8 = new Uint8Array(0);
    this.u32 = new Uint32Array(0);
    /** @type {(Buffer & { latin1Slice(start: number, end: number): string }) | null} */
    this.latin1 = null;
  }

  refresh() {
    if (this.u8.byteLength === 0) {
      // Read on first use: in browsers the module is instantiated after this file is evaluated.
      this.memory ??= /** @type {WebAssembly.Memory} */ (wasmMemory());
      const buf = this.memory.buffer;
      this.u8 = new Uint8Array(buf);
      this.u32 = new Uint32Array(buf);
      this.latin1 = HAS_BUFFER ? /** @type {any} */ (Buffer.from(buf)) : null;
    }
    return this;
  }

  /** ASCII text at [at, at + len). @param {number} at @param {number} len */
  ascii(at, len) {
    if (this.latin1 !== null) return this.latin1.latin1Slice(at, at + len);
    return decoder.decode(this.u8.subarray(at, at + len)); // ASCII is UTF-8; no argument-count limit
  }
}

/**
 * @param {MemoryViews} views
 * @param {number} resultAddress
 * @param {Uint8Array} body
 */
function readEvent(views, resultAddress, body) {
  const { u32, u8 } = views.refresh();
  const r = resultAddress >>> 2;
  const at = u32[r];
  const text = u32[r + 3] === 1 ? views.ascii(at, u32[r + 1]) : null;
  /** @type {Record<string, string | number>} */
  const fields = { secretIndex: u32[r + 2] };
  for (let i = 0; i < FIELDS.length; i++) {
    const a = u32[r + 4 + 2 * i];
    if (a === NONE) continue;
    const b = u32[r + 5 + 2 * i];
    fields[FIELDS[i]] = text !== null ? text.slice(a, b) : decoder.decode(u8.subarray(at + a, at + b));
  }
  return new WebhookEvent(fields, body, MADE);
}

const views = new MemoryViews();

/**
 * The parts of a delivery that verify() passes to the wasm, or the message of what is wrong
 * with it (a value that is no string must not reach the glue's string copy).
 * @param {any} delivery
 */
function readDelivery(delivery) {
  if (delivery === null || typeof delivery !== "object" || typeof delivery.path !== "string") {
    return "verify() takes { path, remoteAddress, headers, body }";
  }
  let body = delivery.body;
  if (typeof body === "string") body = encoder.encode(body);
  if (!(body instanceof Uint8Array)) return "delivery.body must be a Uint8Array (or Buffer) of the raw body";
  const remote = delivery.remoteAddress ?? "";
  if (typeof remote !== "string") return "delivery.remoteAddress must be a string";
  const ct = headerValue(delivery.headers, "content-type");
  const xff = headerValue(delivery.headers, "x-forwarded-for");
  return { path: delivery.path, remote, body, ct, xff };
}

/**
 * Checks unsigned Flexperto webhook deliveries (the wasm verifier), with `verify(delivery)` taking
 * the delivery as your HTTP layer received it.
 */
export class WebhookVerifier extends WasmWebhookVerifier {
  /**
   * Verifies one delivery; see the declarations.
   * @param {{ path: string, remoteAddress?: string, headers?: Headers | Record<string, string | string[] | undefined>, body: Uint8Array | string }} delivery
   * @returns {WebhookEvent}
   */
  verify(delivery) {
    let parts;
    try {
      parts = readDelivery(delivery);
    } catch (e) {
      throw Object.assign(webhookError("INVALID_CONFIG", "the delivery cannot be read (a getter or Proxy trap threw)"), { cause: e });
    }
    if (typeof parts === "string") throw webhookError("INVALID_CONFIG", parts);
    const { path, remote, body, ct, xff } = parts;
    if (body.length > this.maxBodyBytes) {
      // Do not copy a huge body into wasm just to refuse it: the earlier checks first.
      try {
        webhookVerifyParts(this, path, remote, ct, xff, EMPTY);
      } catch (e) {
        if (/** @type {any} */ (e)?.code !== "MALFORMED_JSON" && /** @type {any} */ (e)?.code !== "SCHEMA_VIOLATION") throw e;
      }
      throw webhookError("BODY_TOO_LARGE", `body larger than ${this.maxBodyBytes} bytes`);
    }
    webhookVerifyParts(this, path, remote, ct, xff, body);
    return /** @type {any} */ (readEvent(views, webhookResultAddress(this), body));
  }
}
