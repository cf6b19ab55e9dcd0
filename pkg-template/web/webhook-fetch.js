// The Fetch-API adapter of the webhook flow (webhook-flow.js): `(request, ...context) =>
// Promise<Response>` for Next.js route handlers, Hono, Deno, Bun, Cloudflare and other workers,
// and service workers. It only reads the Request and writes the Response; the flow decides.
import { BodyTooLarge, RequestAborted, createWebhookFlow } from "./webhook-flow.js";
import { argumentError, unreadable } from "./errors.js";

/** The body of `request`, at most `max` bytes: stops reading as soon as the cap is passed. */
async function readRequestBody(request, max) {
  if (request.body === null) return new Uint8Array(0);
  if (request.bodyUsed) throw new TypeError("the request body was already read: pass the Request before anything reads it");
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    let r;
    try {
      r = await reader.read();
    } catch {
      throw new RequestAborted("the request was aborted before its body was complete");
    }
    if (r.done) break;
    size += r.value.byteLength;
    if (size > max) {
      reader.cancel().catch(() => {});
      throw new BodyTooLarge();
    }
    chunks.push(r.value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** The first context argument with a waitUntil (Workers: ctx, the third; others: the second). */
function waitUntilOf(context) {
  for (const c of context) {
    if (c !== null && typeof c === "object" && typeof c.waitUntil === "function") return (p) => c.waitUntil(p);
  }
  return undefined;
}

/** Deno.serve's second argument carries the peer: `info.remoteAddr.hostname`. */
function defaultRemoteAddress(_request, ...context) {
  const host = context[0]?.remoteAddr?.hostname;
  return typeof host === "string" ? host : "";
}

/** Resolves on the next turn of the event loop: after the Response was handed back. */
const afterThisTurn = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A Fetch-API handler of Flexperto webhook deliveries; see webhook-flow.d.ts. */
export function createWebRequestHandler(options) {
  const flow = createWebhookFlow(options, "createWebRequestHandler");
  const remoteAddressOf = flow.options.remoteAddress ?? defaultRemoteAddress;
  const fixedWaitUntil = flow.options.waitUntil;

  const handler = async (request, ...context) => {
    let isRequest;
    try {
      isRequest = request !== null && typeof request === "object" && typeof request.headers?.get === "function" && typeof request.url === "string";
    } catch (e) {
      throw unreadable("request", e);
    }
    if (!isRequest) throw argumentError("request", "the handler of createWebRequestHandler takes a Request");
    let r;
    try {
      const url = new URL(request.url);
      r = await flow.handle({
        method: request.method,
        path: url.pathname + url.search,
        remoteAddress: String(remoteAddressOf(request, ...context) ?? ""),
        headers: request.headers,
        declaredLength: request.headers.get("content-length") ?? undefined,
        readBody: (max) => readRequestBody(request, max),
      });
    } catch (err) {
      r = flow.internalError(err);
    }
    if (r === undefined) return new Response(null, { status: 499 }); // the sender is gone
    if (r.start !== undefined) {
      const task = r.start(afterThisTurn());
      const waitUntil = fixedWaitUntil ?? waitUntilOf(context);
      // Keeps a worker alive until the work is done; a runtime without one keeps running it.
      if (waitUntil !== undefined) waitUntil(task);
    }
    return new Response(r.body ?? null, { status: r.status, headers: r.headers });
  };
  Object.defineProperty(handler, "pending", { get: () => flow.pending, enumerable: true });
  handler.drain = () => flow.drain();
  return handler;
}
