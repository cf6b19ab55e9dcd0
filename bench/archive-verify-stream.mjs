// verifyStream of a 1 GiB archive downloaded from the simulator's storage origin, against a plain
// fetch loop that only counts the bytes, in Node. One process, alternating rounds, medians; peak
// RSS growth sampled every 10 ms while verifying. Target: >= 0.8x the plain loop, RSS growth
// under 64 MiB. BENCH_ARCHIVE_BYTES changes the size (default 1 GiB).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

import { ArchiveChecksum, FlexpertoClient } from "flexperto-sdk";
import { startSim } from "../www/sim.mjs";

const SIZE = Number(process.env.BENCH_ARCHIVE_BYTES ?? 2 ** 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const sim = await startSim();
try {
  const client = new FlexpertoClient({ baseUrl: sim.url, apiKey: await sim.apiKey("admin") });
  const { archiveId, record, seconds } = await sim.availableArchive(client, { sizeBytes: SIZE, timeoutMs: 120_000 });
  console.log(`archive ${record.sizeBytes} bytes, packed in ${seconds.toFixed(1)} s (the simulator hashes it)`);

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
    // What verifyStream did before it hashed on a worker thread: node:crypto in the read loop.
    "fetch + node:crypto in the loop": async () => {
      const res = await fetch(await client.archiveDownloadUrl(archiveId));
      const hash = createHash("sha256");
      for await (const chunk of res.body) hash.update(chunk);
      if (hash.digest("hex") !== record.sha256CheckSum) throw new Error("digest differs");
    },
    "fetch + verifyStream": () =>
      withRss(async () => {
        const res = await fetch(await client.archiveDownloadUrl(archiveId));
        await ArchiveChecksum.verifyStream(res.body, record.sha256CheckSum);
      }),
  };
  // CPU seconds spent by this process (all its threads) and by the simulator (Linux /proc), to
  // show where a 2-core machine's time goes: the simulator shares the cores with the client.
  function simCpuSeconds() {
    try {
      const fields = readFileSync(`/proc/${sim.child.pid}/stat`, "utf8").split(") ")[1].split(" ");
      return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 10 ms
    } catch {
      return NaN;
    }
  }
  const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  const cpu = Object.fromEntries(Object.keys(variants).map((k) => [k, { node: [], sim: [] }]));
  await variants["fetch, count bytes"](); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    const names = Object.keys(variants);
    if (r % 2) names.reverse();
    for (const n of names) {
      const cpu0 = process.cpuUsage();
      const sim0 = simCpuSeconds();
      const start = performance.now();
      await variants[n]();
      times[n].push(performance.now() - start);
      const used = process.cpuUsage(cpu0);
      cpu[n].node.push((used.user + used.system) / 1e6);
      cpu[n].sim.push(simCpuSeconds() - sim0);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const mbps = (ms) => record.sizeBytes / 1e6 / (ms / 1000);
  const base = median(times["fetch, count bytes"]);
  console.log(`${ROUNDS} rounds, median MB/s (Node ${process.version}):`);
  for (const [k, v] of Object.entries(times)) {
    const m = median(v);
    const cpuText = `CPU s: node ${median(cpu[k].node).toFixed(2)}, simulator ${median(cpu[k].sim).toFixed(2)}`;
    console.log(`  ${k.padEnd(32)} ${mbps(m).toFixed(0).padStart(6)} MB/s  ${(base / m).toFixed(2)}x  (wall ${(m / 1000).toFixed(2)} s, ${cpuText})`);
  }
  // The least wall time any verifying download can take on this machine: the plain loop's CPU
  // (client and simulator) plus the fastest SHA-256 here (node:crypto over a buffer in cache),
  // spread perfectly over the cores with nothing spent on handing bytes between threads.
  const k = "downloadArchive + verifyStream";
  const hashStart = process.cpuUsage();
  const piece = Buffer.alloc(1 << 20, 0x5a);
  const h = createHash("sha256");
  for (let left = record.sizeBytes; left > 0; left -= piece.length) h.update(left >= piece.length ? piece : piece.subarray(0, left));
  h.digest();
  const hashUsed = process.cpuUsage(hashStart);
  const hashSeconds = (hashUsed.user + hashUsed.system) / 1e6;
  const cores = availableParallelism();
  const plainCpu = median(cpu["fetch, count bytes"].node) + median(cpu["fetch, count bytes"].sim);
  const floor = Math.max(base / 1000, (plainCpu + hashSeconds) / cores);
  console.log(
    `  node:crypto alone hashes it in ${hashSeconds.toFixed(2)} s of CPU; with the plain loop's ${plainCpu.toFixed(2)} s that ` +
      `allows at best ${(base / 1000 / floor).toFixed(2)}x on ${cores} cores (wall >= ${floor.toFixed(2)} s, zero cost to hand bytes to another thread)`,
  );
  const ratio = base / median(times[k]);
  console.log(`ratio downloadArchive + verifyStream / plain fetch loop: ${ratio.toFixed(2)}x (target >= 0.8x: ${ratio >= 0.8 ? "met" : "NOT met"})`);
  const mib = peakGrowth / 2 ** 20;
  console.log(`peak RSS growth while verifying: ${mib.toFixed(1)} MiB (target < 64 MiB: ${mib < 64 ? "met" : "NOT met"})`);
} finally {
  await sim.stop();
}
