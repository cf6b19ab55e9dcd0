// The object form of WebhookVerifier.verify and the WebhookEvent objects, in JavaScript: reading
// a delivery's properties and headers is cheap here and costly across the wasm boundary, so the
// wasm side takes the parts in one call (verifyParts) and answers with one small JSON text. No
// wasm object, and no copy of the body in wasm memory, outlives the call.
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

function webhookError(code, message) {
  const e = new Error(message);
  e.name = "WebhookError";
  e.code = code;
  return e;
}

function headerValue(headers, name) {
  if (headers === null || headers === undefined) return undefined;
  const v = typeof headers.get === "function" ? headers.get(name) : headers[name];
  if (v === null || v === undefined) return undefined;
  return Array.isArray(v) ? v.join(", ") : String(v);
}

const BODY = Symbol("body");
const PAYLOAD = Symbol("payload");

/** A verified delivery; `payload` is parsed from the raw body on first use. */
export class WebhookEvent {
  constructor(fields, body) {
    Object.assign(this, fields);
    Object.defineProperty(this, BODY, { value: body });
  }

  get payload() {
    if (this[PAYLOAD] === undefined) {
      Object.defineProperty(this, PAYLOAD, { value: JSON.parse(decoder.decode(this[BODY])) });
    }
    return this[PAYLOAD];
  }

  toJSON() {
    return { ...this };
  }
}

export function installDeliveryApi(WebhookVerifier) {
  Object.defineProperty(WebhookVerifier.prototype, "verify", {
    configurable: true,
    writable: true,
    value: function verify(delivery) {
      if (delivery === null || typeof delivery !== "object" || typeof delivery.path !== "string") {
        throw webhookError("INVALID_CONFIG", "verify() takes { path, remoteAddress, headers, body }");
      }
      let body = delivery.body;
      if (typeof body === "string") body = encoder.encode(body);
      if (!(body instanceof Uint8Array)) {
        throw webhookError("INVALID_CONFIG", "delivery.body must be a Uint8Array (or Buffer) of the raw body");
      }
      const { path } = delivery;
      const remote = delivery.remoteAddress ?? "";
      const ct = headerValue(delivery.headers, "content-type");
      const xff = headerValue(delivery.headers, "x-forwarded-for");
      if (body.length > this.maxBodyBytes) {
        // Do not copy a huge body into wasm just to refuse it: the earlier checks first.
        try {
          this.verifyParts(path, remote, ct, xff, EMPTY);
        } catch (e) {
          if (e.code !== "MALFORMED_JSON" && e.code !== "SCHEMA_VIOLATION") throw e;
        }
        throw webhookError("BODY_TOO_LARGE", `body larger than ${this.maxBodyBytes} bytes`);
      }
      return new WebhookEvent(JSON.parse(this.verifyParts(path, remote, ct, xff, body)), body);
    },
  });
}
