// ArchiveClaimer throughput against raw downloads of the same files at the same network rate
// (issue 11, "Performance"). The simulator's storage serves every download at BENCH_RATE bytes
// per second (its `slow` fault; default 250 MB/s), as object storage over a network would.
//
//   raw:        `concurrency` fetch loops that only count the bytes of each file
//   raw + file: the same loops writing each file to disk and fsyncing it (what storing costs
//               on this machine's disk, without any checking)
//   claim:      ArchiveClaimer.sweep() with the same concurrency: download, node:crypto SHA-256,
//               a FileArchiveSink (temp file, fsync, link, fsync dir), ledger, abandon
//   claim, discarding sink: the same with a sink that only counts bytes (the worker's own cost,
//               without the disk); labelled as such, never used outside this benchmark
//
// Prints throughput (claim / raw, target >= 0.95x), CPU per GiB summed over all threads
// (process.cpuUsage) against raw's plus node:crypto's own hashing CPU (target <= 1.3x), and peak
// RSS growth during the claim (target < 128 MiB). One process; raw runs before and after the
// claim (abandoned archives stay downloadable) and its mean is the baseline.
// BENCH_ARCHIVES (20), BENCH_ARCHIVE_BYTES (50 MiB), BENCH_CONCURRENCY (4), BENCH_RATE (250e6).
import { createHash } from "node:crypto";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ArchiveClaimer, FileArchiveSink, FlexpertoClient, MemoryLedger } from "flexperto-sdk";
import { startSim } from "../www/sim.mjs";

const N = Number(process.env.BENCH_ARCHIVES ?? 20);
const SIZE = Number(process.env.BENCH_ARCHIVE_BYTES ?? 50 * 2 ** 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const RATE = Number(process.env.BENCH_RATE ?? 250e6);
const GiB = 2 ** 30;

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function pool(items, n, fn) {
  const queue = [...items];
  await Promise.all(Array.from({ length: n }, async () => {
    while (queue.length > 0) await fn(queue.shift());
  }));
}

const sim = await startSim();
const dir = await mkdtemp(join(tmpdir(), "bench-claim-"));
try {
  const apiKey = await sim.apiKey("admin");
  const client = new FlexpertoClient({ baseUrl: sim.url, apiKey });
  // Two sets: a claim abandons its archives, and a sweep claims only AVAILABLE ones.
  const ids = [];
  const idsB = [];
  for (let i = 0; i < N; i++) ids.push((await sim.endConference({ sizeBytes: SIZE })).archiveId);
  await sim.advanceClock(3);
  const t0 = performance.now();
  for (;;) {
    const { items } = await client.listArchives({ status: "AVAILABLE", limit: 100 });
    if (items.length === N) break;
    if (performance.now() - t0 > 300_000) throw new Error("archives not AVAILABLE");
    await new Promise((r) => setTimeout(r, 200));
  }
  const total = N * SIZE;
  console.log(`${N} archives of ${(SIZE / 2 ** 20).toFixed(0)} MiB, concurrency ${CONCURRENCY}, storage limited to ${(RATE / 1e6).toFixed(0)} MB/s per download (packed in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  await sim.storageFault({ kind: "slow", bytesPerSecond: RATE });

  async function raw(toFile = false) {
    const c0 = cpu();
    const w0 = performance.now();
    await pool(ids, CONCURRENCY, async (id) => {
      const res = await fetch(await client.archiveDownloadUrl(id));
      const fh = toFile ? await open(join(dir, `raw-${id}`), "w") : null;
      let n = 0;
      for await (const chunk of res.body) {
        n += chunk.length;
        if (fh) await fh.write(chunk);
      }
      if (fh) {
        await fh.sync();
        await fh.close();
        await rm(join(dir, `raw-${id}`));
      }
      if (n !== SIZE) throw new Error(`read ${n} bytes`);
    });
    return { seconds: (performance.now() - w0) / 1000, cpu: cpu() - c0 };
  }

  async function claimRun(sink) {
    globalThis.gc?.();
    const claimer = new ArchiveClaimer({ client, sink, ledger: new MemoryLedger(), concurrency: CONCURRENCY });
    const base = process.memoryUsage.rss();
    let peak = base;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
    const c0 = cpu();
    const w0 = performance.now();
    const counts = await claimer.sweep();
    const out = { seconds: (performance.now() - w0) / 1000, cpu: cpu() - c0 };
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage.rss());
    if (counts.stored !== N) throw new Error(`claimed ${JSON.stringify(counts)}`);
    return { ...out, rssGrowth: peak - base };
  }

  // Counts bytes; commit resolves at once. Measures the worker without a disk.
  const discardingSink = {
    async open() {
      let bytes = 0;
      return { async write(c) { bytes += c.length; }, async commit() { return { bytes }; }, async abort() {} };
    },
  };

  // node:crypto's own CPU for the same bytes, in 64 KiB chunks (what the storage sends).
  function hashCpu() {
    const chunk = Buffer.alloc(64 * 1024, 7);
    const c0 = cpu();
    const h = createHash("sha256");
    for (let done = 0; done < total; done += chunk.length) h.update(chunk);
    h.digest();
    return cpu() - c0;
  }

  // The first download of a fresh archive is up to 2x slower than later ones (the simulator
  // generates the bytes; page caches): one untimed pass, so that every run sees warm archives.
  await raw();
  const raw1 = await raw();
  const rawFile1 = await raw(true);
  const claim = await claimRun(new FileArchiveSink({ dir }));
  const raw2 = await raw();
  const rawFile2 = await raw(true);
  // The second set, for the discarding sink.
  for (let i = 0; i < N; i++) idsB.push((await sim.endConference({ sizeBytes: SIZE })).archiveId);
  await sim.advanceClock(3);
  for (;;) {
    const { items } = await client.listArchives({ status: "AVAILABLE", limit: 100 });
    if (items.length === N) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await pool(idsB, CONCURRENCY, async (id) => {
    const res = await fetch(await client.archiveDownloadUrl(id));
    for await (const chunk of res.body) void chunk;
  });
  const claimNull = await claimRun(discardingSink);
  const hashing = hashCpu();

  const mean = (a, b) => ({ seconds: (a.seconds + b.seconds) / 2, cpu: (a.cpu + b.cpu) / 2 });
  const r = mean(raw1, raw2);
  const rf = mean(rawFile1, rawFile2);
  const mbps = (x) => (total / x.seconds / 1e6).toFixed(0);
  const perGiB = (c) => (c / (total / GiB)).toFixed(2);
  const line = (name, x) => console.log(`${name.padEnd(26)} ${x.seconds.toFixed(2)} s (${mbps(x)} MB/s), CPU ${perGiB(x.cpu)} s/GiB`);
  line("raw downloads", r);
  line("raw downloads + file+fsync", rf);
  console.log(`${"node:crypto".padEnd(26)} CPU ${perGiB(hashing)} s/GiB`);
  line("claim, FileArchiveSink", claim);
  line("claim, discarding sink", claimNull);
  console.log(`throughput claim (FileArchiveSink) / raw: ${(r.seconds / claim.seconds).toFixed(2)}x (target >= 0.95x); / raw + file+fsync: ${(rf.seconds / claim.seconds).toFixed(2)}x`);
  console.log(`throughput claim (discarding sink) / raw: ${(r.seconds / claimNull.seconds).toFixed(2)}x`);
  console.log(`CPU claim (FileArchiveSink) / (raw + node:crypto): ${(claim.cpu / (r.cpu + hashing)).toFixed(2)}x (target <= 1.3x); / (raw + file+fsync + node:crypto): ${(claim.cpu / (rf.cpu + hashing)).toFixed(2)}x`);
  console.log(`CPU claim (discarding sink) / (raw + node:crypto): ${(claimNull.cpu / (r.cpu + hashing)).toFixed(2)}x`);
  console.log(`peak RSS growth while claiming: ${(Math.max(claim.rssGrowth, claimNull.rssGrowth) / 2 ** 20).toFixed(1)} MiB (target < 128 MiB)`);
} finally {
  await sim.stop();
  await rm(dir, { recursive: true, force: true });
}
