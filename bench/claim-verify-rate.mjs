// verifyStream of a 1 GiB archive at a network rate (issue 11, "Performance"): the simulator's
// storage limited to BENCH_RATE bytes per second (default 1 GB/s, its `slow` fault), against a
// fetch loop that only counts the bytes, at the same rate, in one process, alternating rounds.
// Prints the throughput ratio (target >= 0.97x) and CPU per GiB, summed over all threads
// (process.cpuUsage, which counts the hashing worker thread too), against the loop's CPU plus
// node:crypto's own hashing CPU (target <= 1.3x). BENCH_ARCHIVE_BYTES (1 GiB), BENCH_ROUNDS (3).
import { createHash } from "node:crypto";

import { ArchiveChecksum, FlexpertoClient } from "flexperto-sdk";
import { startSim } from "../www/sim.mjs";

const SIZE = Number(process.env.BENCH_ARCHIVE_BYTES ?? 2 ** 30);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RATE = Number(process.env.BENCH_RATE ?? 1e9);
const GiB = 2 ** 30;

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const sim = await startSim();
try {
  const client = new FlexpertoClient({ baseUrl: sim.url, apiKey: await sim.apiKey("admin") });
  const { archiveId, record } = await sim.availableArchive(client, { sizeBytes: SIZE });
  await sim.storageFault({ kind: "slow", bytesPerSecond: RATE });
  console.log(`archive of ${(SIZE / GiB).toFixed(2)} GiB, storage limited to ${(RATE / 1e6).toFixed(0)} MB/s, ${ROUNDS} rounds`);

  const variants = {
    "fetch, count bytes": async () => {
      const res = await fetch(await client.archiveDownloadUrl(archiveId));
      let n = 0;
      for await (const chunk of res.body) n += chunk.length;
      if (n !== record.sizeBytes) throw new Error(`read ${n} bytes`);
    },
    "downloadArchive + verifyStream": async () => {
      const stream = await client.downloadArchive(archiveId);
      await ArchiveChecksum.verifyStream(stream, record.sha256CheckSum);
    },
  };
  const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  const cpus = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of Object.entries(variants)) {
      const c0 = cpu();
      const w0 = performance.now();
      await fn();
      times[name].push((performance.now() - w0) / 1000);
      cpus[name].push(cpu() - c0);
    }
  }
  const chunk = Buffer.alloc(64 * 1024, 7);
  const h0 = cpu();
  const h = createHash("sha256");
  for (let done = 0; done < SIZE; done += chunk.length) h.update(chunk);
  h.digest();
  const hashing = cpu() - h0;

  const perGiB = (c) => (c / (SIZE / GiB)).toFixed(2);
  for (const name of Object.keys(variants)) {
    const s = median(times[name]);
    console.log(`${name.padEnd(32)} ${s.toFixed(2)} s (${(SIZE / s / 1e6).toFixed(0)} MB/s), CPU ${perGiB(median(cpus[name]))} s/GiB`);
  }
  console.log(`node:crypto                      CPU ${perGiB(hashing)} s/GiB`);
  const loop = "fetch, count bytes";
  const verify = "downloadArchive + verifyStream";
  console.log(`throughput verifyStream / loop: ${(median(times[loop]) / median(times[verify])).toFixed(2)}x (target >= 0.97x)`);
  console.log(`CPU verifyStream / (loop + node:crypto): ${(median(cpus[verify]) / (median(cpus[loop]) + hashing)).toFixed(2)}x (target <= 1.3x)`);
} finally {
  await sim.stop();
}
