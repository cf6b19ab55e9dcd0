// CPU cost of the SDK per call, without a network: listUsers over an injected fetch that answers
// from memory, vs the same canned Response read with json(). Prints microseconds per call and the
// difference (the SDK's own work: arguments, request building, boundary crossings, parsing).
import { FlexpertoClient } from "flexperto-sdk";

const body = JSON.stringify({
  items: [{ id: "usr_0001", email: "bench@example.invalid", role: "expert", firstName: "Bench", lastName: "Mark", emailConfirmed: true, createdAt: "2026-11-28T20:00:00Z" }],
  total: 1,
  limit: 1,
  offset: 0,
});
const key = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjIwMDAwMDAwMDB9.c2ln";
const canned = async () => new Response(body, { status: 200, headers: { "content-type": "application/json" } });
const client = new FlexpertoClient({ baseUrl: "http://127.0.0.1:1", apiKey: key, fetch: canned });
const N = Number(process.env.BENCH_N ?? 30000);

async function perCall(fn) {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await fn();
  return ((performance.now() - t0) * 1000) / N;
}
const raw = () => canned().then((r) => r.json());
const sdk = () => client.listUsers({ limit: 1, role: "expert" });
await perCall(raw);
await perCall(sdk);
const rounds = [];
for (let r = 0; r < 5; r++) rounds.push([await perCall(raw), await perCall(sdk)]);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const r = median(rounds.map((x) => x[0]));
const s = median(rounds.map((x) => x[1]));
console.log(`canned Response + json(): ${r.toFixed(1)} us/call | sdk listUsers: ${s.toFixed(1)} us/call | SDK's own work: ${(s - r).toFixed(1)} us/call`);
