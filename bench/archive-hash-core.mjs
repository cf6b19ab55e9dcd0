// The SHA-256 streaming benchmark, shared by Node (bench/archive-hash.mjs) and Chromium
// (bench/archive-hash-browser.mjs): 256 MiB in 1 MiB chunks through each implementation, runs
// interleaved, median MB/s. Prints nothing and asserts nothing: the runners print.
export const TOTAL = 256 * 1024 * 1024;
export const CHUNK = 1024 * 1024;

/** `impls`: { name: () => { update(chunk), hex() } }; resolves to { name: { mbps, digest } }. */
export async function measure(impls, { runs = 5, total = TOTAL, chunk = CHUNK } = {}) {
  const data = new Uint8Array(chunk);
  let x = 2463534242;
  for (let i = 0; i < data.length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    data[i] = x & 0xff;
  }
  const times = Object.fromEntries(Object.keys(impls).map((n) => [n, []]));
  const digests = {};
  for (let r = 0; r < runs + 1; r++) {
    for (const [name, make] of Object.entries(impls)) {
      const h = await make();
      const t0 = performance.now();
      for (let done = 0; done < total; done += chunk) h.update(data);
      const hex = h.hex();
      const ms = performance.now() - t0;
      if (r > 0) times[name].push(ms); // the first round warms up
      digests[name] = hex;
    }
  }
  const out = {};
  for (const [name, ms] of Object.entries(times)) {
    ms.sort((a, b) => a - b);
    out[name] = { mbps: total / 1e6 / (ms[ms.length >> 1] / 1000), digest: digests[name] };
  }
  return out;
}

/** The lines the runners print: MB/s per implementation, ratios against hash-wasm. */
export function report(where, results) {
  const lines = [];
  const base = results["hash-wasm"]?.mbps;
  for (const [name, { mbps }] of Object.entries(results)) {
    lines.push(`${where.padEnd(8)} ${name.padEnd(28)} ${mbps.toFixed(0).padStart(6)} MB/s  ${base ? `${(mbps / base).toFixed(2)}x hash-wasm` : ""}`);
  }
  const digests = new Set(Object.values(results).map((r) => r.digest));
  lines.push(digests.size === 1 ? `${where.padEnd(8)} all digests agree` : `${where.padEnd(8)} DIGESTS DIFFER: ${[...digests].join(" ")}`);
  return lines.join("\n");
}
