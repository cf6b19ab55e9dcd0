// Throughput of WebhookVerifier.verify() on a ~1 KB archive.available delivery given as the raw
// request bytes (a Buffer), vs a JavaScript baseline doing the same work: the secret-segment
// compare (constant time), the content-type and size checks, JSON.parse(buf.toString()) and an
// ajv-compiled schema of the same envelope (archive_id and archive_subject.conference_id required
// non-empty strings, sha256CheckSum optional 64 hex characters, unknown fields allowed).
// Same process, alternating rounds, median; prints ops/s and the ratio (target >= 1.5x).
import { timingSafeEqual } from "node:crypto";
import Ajv from "ajv";
import { WebhookVerifier, generateWebhookSecret } from "flexperto-sdk";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const OPS = Number(process.env.BENCH_OPS ?? 20_000);

const secret = generateWebhookSecret();
const previous = generateWebhookSecret();
const secrets = [secret, previous];
const MAX_BODY = 1 << 20;

const payload = {
  id: "ntf_000123a1b2c3d4e5",
  topic: "archive.available",
  createdAt: "2026-11-28T20:47:25.123Z",
  data: {
    archive_id: "arc_0004731a1906928f",
    archive_subject: { conference_id: "conf_0004731a19069290", type: "conference", tenant: "demo" },
    sha256CheckSum: "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
    status: "AVAILABLE",
    // Unknown fields the platform may add (kept, not validated).
    expiresAt: "2026-12-01T20:47:25Z",
    sizeBytes: 73400320,
    contents: ["themis/chat.json", "themis/recording-0001.mp4", "themis/metadata.json", "mithra/contract-0001.pdf"],
    moderator: { accountId: "usr_00033b4a9fddf71c", email: "expert@example.invalid", name: "Erika Expertin" },
    participants: [
      { email: "kunde@example.invalid", firstName: "Karl", lastName: "Kunde", permissions: ["audio", "video", "chat"] },
      { email: "zweite@example.invalid", firstName: "Zora", lastName: "Zweite", permissions: ["audio", "chat"] },
    ],
  },
  meta: { region: "eu-central-1", deliveryVersion: 2, note: "x".repeat(180) },
};
const body = Buffer.from(JSON.stringify(payload));
const delivery = {
  path: `/callbacks/flexperto/${secret}`,
  remoteAddress: "203.0.113.7",
  headers: { "content-type": "application/json; charset=utf-8", "user-agent": "flexperto", host: "crm.example.com" },
  body,
};

// --- wasm
const verifier = new WebhookVerifier({ secrets, maxBodyBytes: MAX_BODY });

// --- JavaScript baseline
const ajv = new Ajv({ allowUnionTypes: true });
const validate = ajv.compile({
  type: "object",
  required: ["data"],
  properties: {
    id: { type: ["string", "number"] },
    topic: { type: "string" },
    data: {
      type: "object",
      required: ["archive_id", "archive_subject"],
      properties: {
        archive_id: { type: "string", minLength: 1 },
        archive_subject: {
          type: "object",
          required: ["conference_id"],
          properties: { conference_id: { type: "string", minLength: 1 } },
        },
        sha256CheckSum: { type: "string", pattern: "^[0-9a-fA-F]{64}$" },
        status: { type: "string" },
      },
    },
  },
});
const secretBufs = secrets.map((s) => Buffer.from(s));

function jsVerify(d) {
  // Every segment against every secret, in constant time per comparison, without stopping early.
  const path = d.path.split(/[?#]/, 1)[0];
  let secretIndex = -1;
  for (const seg of path.split("/")) {
    const b = Buffer.from(seg);
    for (let i = 0; i < secretBufs.length; i++) {
      if (b.length === secretBufs[i].length && timingSafeEqual(b, secretBufs[i]) && secretIndex < 0) secretIndex = i;
    }
  }
  if (secretIndex < 0) throw Object.assign(new Error("secret"), { code: "SECRET_MISMATCH" });
  const ct = String(d.headers["content-type"] ?? "").split(";", 1)[0].trim().toLowerCase();
  if (ct !== "application/json") throw Object.assign(new Error("content type"), { code: "BAD_CONTENT_TYPE" });
  if (d.body.length > MAX_BODY) throw Object.assign(new Error("size"), { code: "BODY_TOO_LARGE" });
  let v;
  try {
    v = JSON.parse(d.body.toString());
  } catch (e) {
    throw Object.assign(new Error(e.message), { code: "MALFORMED_JSON" });
  }
  if (!validate(v)) throw Object.assign(new Error("schema"), { code: "SCHEMA_VIOLATION", path: validate.errors[0].instancePath });
  const a = v.data;
  return {
    topic: v.topic ?? "archive.available",
    archiveId: a.archive_id,
    conferenceId: a.archive_subject.conference_id,
    sha256CheckSum: a.sha256CheckSum?.toLowerCase(),
    dedupeKey: `archive.available:${a.archive_id}`,
    secretIndex,
    payload: v,
  };
}

// Both give the same answer.
{
  const w = verifier.verify(delivery);
  const j = jsVerify(delivery);
  for (const k of ["topic", "archiveId", "conferenceId", "sha256CheckSum", "dedupeKey", "secretIndex"]) {
    if (w[k] !== j[k]) throw new Error(`${k} differs: ${w[k]} vs ${j[k]}`);
  }
  if (JSON.stringify(w.payload) !== JSON.stringify(j.payload)) throw new Error("payloads differ");
}

let sink = 0;
const variants = {
  "wasm verify()": () => {
    sink += verifier.verify(delivery).secretIndex;
  },
  "JSON.parse + ajv": () => {
    sink += jsVerify(delivery).secretIndex;
  },
};

// Yield to the event loop every CHUNK ops, as a server does between requests.
const CHUNK = 1000;
const tick = () => new Promise(setImmediate);
async function opsPerSec(fn) {
  const t0 = performance.now();
  for (let i = 0; i < OPS; i++) {
    fn();
    if (i % CHUNK === CHUNK - 1) await tick();
  }
  return OPS / ((performance.now() - t0) / 1000);
}

for (const fn of Object.values(variants)) await opsPerSec(fn); // warm-up
const results = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) {
  const names = Object.keys(variants);
  if (r % 2) names.reverse();
  for (const n of names) results[n].push(await opsPerSec(variants[n]));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const med = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
const base = med["JSON.parse + ajv"];

console.log(`body ${body.length} bytes, ${ROUNDS} rounds x ${OPS} ops, median ops/s (Node ${process.version}):`);
for (const [k, v] of Object.entries(med)) {
  console.log(`  ${k.padEnd(24)} ${Math.round(v).toLocaleString("en-US").padStart(10)} ops/s  ${(v / base).toFixed(2)}x`);
}
const ratio = med["wasm verify()"] / base;
console.log(`ratio wasm verify() / (JSON.parse + ajv): ${ratio.toFixed(2)}x (target >= 1.5x: ${ratio >= 1.5 ? "met" : "NOT met"})`);
const mem = process.memoryUsage();
console.log(`rss ${(mem.rss / 1e6).toFixed(0)} MB after the run`);
if (sink === 0.5) console.log(""); // keep the results alive
