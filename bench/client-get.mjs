// Client GET overhead: the SDK's listUsers vs a raw fetch + json() of the same response, against
// the simulator, sequential and 16 concurrent. Prints ratios measured in this one process
// (alternating rounds, median of rounds), never asserts timings.
import { FlexpertoClient } from "flexperto-sdk";
import { startSim } from "../www/sim.mjs";

const N = Number(process.env.BENCH_N ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const sim = await startSim();
try {
  const apiKey = await sim.apiKey("admin");
  const client = new FlexpertoClient({ baseUrl: sim.url, apiKey });
  await client.ensureExpert({ email: "bench@example.invalid", firstName: "Bench", lastName: "Mark" });
  const url = `${sim.url}/api/v2/users/users?limit=1&role=expert`;
  const headers = { accept: "application/json", "api-key": apiKey };
  const raw = async () => {
    const r = await fetch(url, { headers });
    if (!r.ok) throw new Error(`status ${r.status}`);
    return r.json();
  };
  const sdk = () => client.listUsers({ limit: 1, role: "expert" });
  const body = await raw();
  console.log(`response: ${JSON.stringify(body).length} bytes of JSON; ${N} requests per run, ${ROUNDS} rounds`);

  async function run(fn, concurrency) {
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next++ < N) await fn();
      }),
    );
    return N / ((performance.now() - t0) / 1000);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

  for (const concurrency of [1, 16]) {
    await run(raw, concurrency); // warm-up both paths
    await run(sdk, concurrency);
    const rawRates = [];
    const sdkRates = [];
    for (let i = 0; i < ROUNDS; i++) {
      rawRates.push(await run(raw, concurrency));
      sdkRates.push(await run(sdk, concurrency));
    }
    const r = median(rawRates);
    const s = median(sdkRates);
    const label = concurrency === 1 ? "sequential" : `${concurrency} concurrent`;
    console.log(
      `${label.padEnd(14)} fetch+json ${r.toFixed(0).padStart(6)} req/s | sdk listUsers ${s.toFixed(0).padStart(6)} req/s | ratio ${(s / r).toFixed(2)}x (target >= 0.90x)`,
    );
  }
} finally {
  await sim.stop();
}
