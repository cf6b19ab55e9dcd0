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
// RSS growth during the claim (target < 128 MiB). One process, BENCH_ROUNDS rounds: each round
// makes a fresh set of archives, downloads it once untimed, then times raw, raw + file and the
// claim with FileArchiveSink on it, and the claim with the discarding sink on a second fresh set.
// Rounds, not one run of each: after a few GiB have been written, V8 in Node 20 starts about six
// times as many mark-compact collections per GiB for the same download-and-write loop (measured
// with --trace-gc: 10-14 per GiB, then 94-98, and about 0.7 s more CPU per GiB on the GC threads,
// for raw loops and the claim alike), so whatever ran later would pay for it. Medians per variant.
// Within a round, raw + file and the claim with FileArchiveSink alternate which runs first.
// BENCH_ARCHIVES (20), BENCH_ARCHIVE_BYTES (50 MiB), BENCH_CONCURRENCY (4), BENCH_RATE (250e6),
// BENCH_ROUNDS (4).
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
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
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
  const total = N * SIZE;

  // N fresh AVAILABLE archives (the earlier sets are abandoned by their claims), each downloaded
  // once untimed: the first download of a fresh archive is up to 2x slower than later ones (the
  // simulator generates the bytes; page caches).
  async function freshSet() {
    await sim.control("DELETE", "storage/faults");
    const ids = [];
    for (let i = 0; i < N; i++) ids.push((await sim.endConference({ sizeBytes: SIZE })).archiveId);
    await sim.advanceClock(3);
    const t0 = performance.now();
    for (;;) {
      const { items } = await client.listArchives({ status: "AVAILABLE", limit: 100 });
      if (items.length === N) break;
      if (performance.now() - t0 > 300_000) throw new Error("archives not AVAILABLE");
      await new Promise((r) => setTimeout(r, 200));
    }
    await sim.storageFault({ kind: "slow", bytesPerSecond: RATE });
    await raw(ids);
    return ids;
  }

  async function raw(ids, toFile = false) {
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

  console.log(`${N} archives of ${(SIZE / 2 ** 20).toFixed(0)} MiB, concurrency ${CONCURRENCY}, storage limited to ${(RATE / 1e6).toFixed(0)} MB/s per download, ${ROUNDS} rounds`);
  const mbps = (x) => (total / x.seconds / 1e6).toFixed(0);
  const perGiB = (c) => (c / (total / GiB)).toFixed(2);
  const hashing = hashCpu();
  const rounds = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const a = await freshSet();
    // raw + file and the claim alternate which goes first (the disk's state after 1 GiB of
    // writes slows whatever follows); abandoned archives stay downloadable for the raw loops.
    const r = { raw: await raw(a) };
    const claimFile = async () => (r.claim = await claimRun(new FileArchiveSink({ dir: join(dir, `claim-${round}`) })));
    const rawFile = async () => (r.rawFile = await raw(a, true));
    if (round % 2 === 1) await rawFile().then(claimFile);
    else await claimFile().then(rawFile);
    await freshSet();
    r.claimNull = await claimRun(discardingSink);
    rounds.push(r);
    console.log(
      `round ${round} (MB/s; CPU s/GiB): raw ${mbps(r.raw)}; ${perGiB(r.raw.cpu)} | raw + file+fsync ${mbps(r.rawFile)}; ${perGiB(r.rawFile.cpu)} | ` +
        `claim, FileArchiveSink ${mbps(r.claim)}; ${perGiB(r.claim.cpu)} | claim, discarding sink ${mbps(r.claimNull)}; ${perGiB(r.claimNull.cpu)}`,
    );
  }
  const median = (f) => rounds.map(f).sort((x, y) => x - y)[Math.floor(rounds.length / 2)];
  const ratio = (f) => median(f).toFixed(2);
  console.log(`${"node:crypto".padEnd(26)} CPU ${perGiB(hashing)} s/GiB`);
  console.log(`medians of the rounds' ratios:`);
  console.log(`throughput claim (FileArchiveSink) / raw: ${ratio((r) => r.raw.seconds / r.claim.seconds)}x (target >= 0.95x); / raw + file+fsync: ${ratio((r) => r.rawFile.seconds / r.claim.seconds)}x`);
  console.log(`throughput claim (discarding sink) / raw: ${ratio((r) => r.raw.seconds / r.claimNull.seconds)}x`);
  console.log(`CPU claim (FileArchiveSink) / (raw + node:crypto): ${ratio((r) => r.claim.cpu / (r.raw.cpu + hashing))}x (target <= 1.3x); / (raw + file+fsync + node:crypto): ${ratio((r) => r.claim.cpu / (r.rawFile.cpu + hashing))}x`);
  console.log(`CPU claim (discarding sink) / (raw + node:crypto): ${ratio((r) => r.claimNull.cpu / (r.raw.cpu + hashing))}x`);
  console.log(`raw + file+fsync / raw (what storing alone costs here): throughput ${ratio((r) => r.raw.seconds / r.rawFile.seconds)}x, CPU ${ratio((r) => r.rawFile.cpu / (r.raw.cpu + hashing))}x of (raw + node:crypto)`);
  console.log(`peak RSS growth while claiming: ${(Math.max(...rounds.map((r) => Math.max(r.claim.rssGrowth, r.claimNull.rssGrowth))) / 2 ** 20).toFixed(1)} MiB (target < 128 MiB)`);
} finally {
  await sim.stop();
  await rm(dir, { recursive: true, force: true });
}
