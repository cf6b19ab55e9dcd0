// Helpers of the claim tests (issue 11): make archives on the simulator, and the three counts
// that prove nothing was lost, read from the simulator's abandon log and the sink's folder.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Ends `n` conferences (`failEvery`: every k-th one FAILs; `stepSeconds`: simulated seconds per
 * life-cycle step, for tests that move the clock themselves); resolves to their ids.
 */
export async function makeArchives(sim, n, { minBytes = 8_000, maxBytes = 60_000, failEvery = 0, stepSeconds } = {}) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const fail = failEvery > 0 && i % failEvery === failEvery - 1;
    const sizeBytes = minBytes + Math.floor(Math.random() * (maxBytes - minBytes));
    const r = await sim.endConference(stepSeconds === undefined ? { sizeBytes, fail } : { sizeBytes, fail, stepSeconds });
    out.push({ archiveId: r.archiveId, conferenceId: r.conferenceId, fail });
  }
  return out;
}

/** Every record, through the simulator's API (admin key). */
export async function records(sim, apiKey) {
  const all = [];
  for (let offset = 0; ; offset += 100) {
    const res = await fetch(`${sim.url}/api/v2/communication/conferences/archives?limit=100&offset=${offset}`, { headers: { "api-key": apiKey } });
    const { items } = await res.json();
    all.push(...items);
    if (items.length < 100) return all;
  }
}

/** Waits until no archive is still being made. */
export async function waitSettled(sim, apiKey, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rs = await records(sim, apiKey);
    if (rs.every((r) => ["AVAILABLE", "FAILED", "ABANDONED", "EXPIRED"].includes(r.status))) return rs;
    if (Date.now() > deadline) throw new Error("archives never settled");
    await sleep(200);
  }
}

function sha256File(path) {
  return new Promise((resolve, reject) => {
    const h = createHash("sha256");
    createReadStream(path).on("data", (c) => h.update(c)).on("error", reject).on("end", () => resolve(h.digest("hex")));
  });
}

/**
 * The three counts of the issue, from what the simulator saw and what is on disk:
 * - storedVerifiedBeforeAbandon: archives abandoned once, whose file is in `dir` with the
 *   record's SHA-256 and was committed (its inode changed: linked to its name) before the abandon call arrived;
 * - abandonedWithoutCopy: archives abandoned without such a file;
 * - duplicateFiles: archives with more than one complete file in `dir`.
 * Plus `available` (archives that were ever downloadable: not FAILED), `abandonCalls` (archive id
 * -> successful abandon calls), `leftoverParts` (temporary files of writers that were killed).
 */
export async function claimCounts(sim, apiKey, dir) {
  const rs = await records(sim, apiKey);
  const byId = new Map(rs.map((r) => [r.id, r]));
  const log = (await sim.control("GET", "archives/abandons")).items;
  const abandonCalls = new Map();
  const firstAbandon = new Map();
  for (const e of log) {
    if (e.archiveId === null || e.status !== 200) continue;
    abandonCalls.set(e.archiveId, (abandonCalls.get(e.archiveId) ?? 0) + 1);
    if (!firstAbandon.has(e.archiveId)) firstAbandon.set(e.archiveId, e.atMs);
  }
  const names = await readdir(dir).catch(() => []);
  const files = new Map();
  const leftoverParts = (await readdir(join(dir, ".partial")).catch(() => [])).length + names.filter((n) => n.endsWith(".part")).length;
  for (const n of names) {
    const m = /^(.+)--(.+)\.zip$/.exec(n);
    if (!m) continue;
    const list = files.get(m[2]) ?? [];
    list.push(n);
    files.set(m[2], list);
  }
  let storedVerifiedBeforeAbandon = 0;
  let abandonedWithoutCopy = 0;
  for (const [id, at] of firstAbandon) {
    const rec = byId.get(id);
    const f = files.get(id);
    let ok = false;
    if (rec && f && f.length === 1) {
      const p = join(dir, f[0]);
      const [sum, st] = await Promise.all([sha256File(p), stat(p)]);
      ok = sum === rec.sha256CheckSum && st.ctimeMs <= at && f[0] === `${rec.subject.conference_id}--${id}.zip`;
    }
    if (ok) storedVerifiedBeforeAbandon += 1;
    else abandonedWithoutCopy += 1;
  }
  const duplicateFiles = [...files.values()].filter((l) => l.length > 1).length;
  const available = rs.filter((r) => r.status !== "FAILED").length;
  return { available, storedVerifiedBeforeAbandon, abandonedWithoutCopy, duplicateFiles, abandonCalls, leftoverParts, records: rs };
}
