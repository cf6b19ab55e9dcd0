// One claim worker process for the restart and many-worker tests (not a test file itself).
// Environment: SIM_URL, API_KEY, SINK_DIR, LEDGER ("sqlite:PATH" or "pg:URL"), LEASE_MS,
// CONCURRENCY. Prints one JSON line per progress report; runs until SIGTERM (or SIGKILL).
import { ArchiveClaimer, FileArchiveSink, FlexpertoClient, PostgresLedger, SqliteLedger } from "flexperto-sdk";

const { SIM_URL, API_KEY, SINK_DIR, LEDGER, LEASE_MS = "3000", CONCURRENCY = "2", INTERVAL_MS = "200" } = process.env;
const [kind, ...rest] = LEDGER.split(":");
const where = rest.join(":");
const ledger = kind === "sqlite" ? new SqliteLedger({ path: where }) : new PostgresLedger({ connectionString: where });
await ledger.migrate();
const client = new FlexpertoClient({ baseUrl: SIM_URL, apiKey: API_KEY });
const claimer = new ArchiveClaimer({
  client,
  sink: new FileArchiveSink({ dir: SINK_DIR }),
  ledger,
  concurrency: Number(CONCURRENCY),
  policy: { leaseMs: Number(LEASE_MS), baseDelayMs: 50, maxDelayMs: 500 },
  onProgress: (p) => {
    const { counts, ...rest } = p;
    process.stdout.write(`${JSON.stringify(rest)}\n`);
  },
});
const stop = new AbortController();
process.on("SIGTERM", () => stop.abort());
process.stdout.write(`${JSON.stringify({ ready: claimer.owner })}\n`);
await claimer.run({ intervalMs: Number(INTERVAL_MS), signal: stop.signal });
await ledger.close();
