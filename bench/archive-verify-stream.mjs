// verifyStream of a 1 GiB archive downloaded from the simulator's storage origin, against a plain
// fetch loop that only counts the bytes, in Node. One process, alternating rounds, medians; peak
// RSS growth sampled every 10 ms while verifying. Target: >= 0.8x the plain loop, RSS growth
// under 64 MiB. BENCH_ARCHIVE_BYTES changes the size (default 1 GiB).
import { ArchiveChecksum, FlexpertoClient } from "flexperto-sdk";
import { startSim } from "../www/sim.mjs";

const SIZE = Number(process.env.BENCH_ARCHIVE_BYTES ?? 2 ** 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const sim = await startSim();
try {
  const client = new FlexpertoClient({ baseUrl: sim.url, apiKey: await sim.apiKey("admin") });
  const { archiveId } = await sim.endConference({ sizeBytes: SIZE });
  await sim.advanceClock(3);
  let record;
  const t0 = performance.now();
  for (;;) {
    record = await client.getArchive(archiveId);
    if (record.status === "AVAILABLE") break;
    if (performance.now() - t0 > 120_000) throw new Error(`archive not AVAILABLE: ${record.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  console.log(`archive ${record.sizeBytes} bytes, packed in ${((performance.now() - t0) / 1000).toFixed(1)} s (the simulator hashes it)`);

  let peakGrowth = 0;
  async function withRss(fn) {
    globalThis.gc?.();
    const base = process.memoryUsage.rss();
    let peak = base;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 10);
    try {
      await fn();
    } finally {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
    }
    peakGrowth = Math.max(peakGrowth, peak - base);
  }

  const variants = {
    "fetch, count bytes": async () => {
      const res = await fetch(await client.archiveDownloadUrl(archiveId));
      let n = 0;
      for await (const chunk of res.body) n += chunk.length;
      if (n !== record.sizeBytes) throw new Error(`read ${n} bytes`);
    },
    "downloadArchive + verifyStream": () =>
      withRss(async () => {
        const stream = await client.downloadArchive(archiveId);
        await ArchiveChecksum.verifyStream(stream, record.sha256CheckSum);
      }),
    "fetch + verifyStream": () =>
      withRss(async () => {
        const res = await fetch(await client.archiveDownloadUrl(archiveId));
        await ArchiveChecksum.verifyStream(res.body, record.sha256CheckSum);
      }),
  };
  const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  await variants["fetch, count bytes"](); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    const names = Object.keys(variants);
    if (r % 2) names.reverse();
    for (const n of names) {
      const start = performance.now();
      await variants[n]();
      times[n].push(performance.now() - start);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const mbps = (ms) => record.sizeBytes / 1e6 / (ms / 1000);
  const base = median(times["fetch, count bytes"]);
  console.log(`${ROUNDS} rounds, median MB/s (Node ${process.version}):`);
  for (const [k, v] of Object.entries(times)) {
    const m = median(v);
    console.log(`  ${k.padEnd(32)} ${mbps(m).toFixed(0).padStart(6)} MB/s  ${(base / m).toFixed(2)}x`);
  }
  const ratio = base / median(times["downloadArchive + verifyStream"]);
  console.log(`ratio downloadArchive + verifyStream / plain fetch loop: ${ratio.toFixed(2)}x (target >= 0.8x: ${ratio >= 0.8 ? "met" : "NOT met"})`);
  const mib = peakGrowth / 2 ** 20;
  console.log(`peak RSS growth while verifying: ${mib.toFixed(1)} MiB (target < 64 MiB: ${mib < 64 ? "met" : "NOT met"})`);
} finally {
  await sim.stop();
}
