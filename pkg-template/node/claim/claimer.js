"use strict";
// ArchiveClaimer: the I/O of claiming archives. Every decision (what to do next, when to retry,
// when to quarantine, when abandoning is allowed) is the wasm core's claimStep
// (src/archive/claim.rs); this file reads records, downloads, writes to the sink, calls the API,
// persists each status in the ledger before acting, and reports progress.

const { randomBytes } = require("node:crypto");
const os = require("node:os");
const { claimArgs, claimEventArgs, claimStep, claimerOptions, claimerRunOptions } = require("../flexperto_sdk.js");
const { sleep } = require("../internal.js");
const { platform } = require("../archive-node.js");
// The chunks of a download (straight from the download for downloadArchive's streams).
const { chunksOf } = require("../archive.js");

/** The fields of a ledger row that claimStep decides on. */
function statusOf(row) {
  const s = {
    state: row.state,
    attempts: row.attempts ?? 0,
    mismatches: row.mismatches ?? 0,
    failures: row.failures ?? 0,
    remoteAbandoned: Boolean(row.remoteAbandoned),
  };
  if (row.sha256CheckSum != null) s.sha256CheckSum = row.sha256CheckSum;
  if (row.error != null) s.error = row.error;
  return s;
}

/** An error as claimStep takes it: name, code, HTTP status, message. */
function stepError(e) {
  const out = { name: typeof e?.name === "string" ? e.name : "Error", message: String(e?.message ?? e) };
  if (typeof e?.code === "string") out.code = e.code;
  if (Number.isInteger(e?.status) && e.status >= 100 && e.status <= 599) out.status = e.status;
  return out;
}

const OUTCOME = { abandoned: "stored", stored: "stored", quarantined: "quarantined", failed: "failed" };

/**
 * Claims archives: download, verify against the record's sha256CheckSum, store durably in the
 * sink, record in the ledger, and only then abandon. See index.d.ts.
 */
class ArchiveClaimer {
  #client;
  #sink;
  #ledger;
  #concurrency;
  #onProgress;
  #policy;
  #renewEveryMs;
  #owner;
  #inFlight = new Map();
  #counts = { active: 0, stored: 0, quarantined: 0, failed: 0, skipped: 0 };

  constructor(options) {
    // Checked, with their defaults, in the wasm core (src/wasm/js_options.rs), the policy as
    // claimPolicy checks it.
    const { client, sink, ledger, concurrency, onProgress, owner, ...resolved } = claimerOptions(options);
    this.#client = client;
    this.#sink = sink;
    this.#ledger = ledger;
    this.#concurrency = concurrency;
    this.#onProgress = onProgress;
    this.#policy = resolved.policy;
    this.#renewEveryMs = resolved.renewEveryMs;
    this.#owner = owner ?? `${os.hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  }

  /** The name this claimer's leases are held under in the ledger. */
  get owner() {
    return this.#owner;
  }

  /** Counts since this claimer was made (what onProgress reports too). */
  get counts() {
    return { ...this.#counts };
  }

  #progress(p) {
    if (this.#onProgress === undefined) return;
    try {
      this.#onProgress({ ...p, counts: { ...this.#counts } });
    } catch {
      // A progress bar must not break a claim.
    }
  }

  /**
   * Claims one archive as far as it can go now. Resolves to `{ archiveId, outcome, state, error }`
   * where outcome is "stored" (stored and abandoned), "quarantined", "failed" or "skipped" (not
   * ready, held by another worker, already final, or released after failures).
   */
  claim(archiveId, hint) {
    // Checked in the wasm core (src/wasm/js_options.rs): a non-empty id, a string conferenceId.
    const { archiveId: id, conferenceId } = claimArgs(archiveId, hint);
    // One claim per archive per process: a second call joins the first.
    const running = this.#inFlight.get(id);
    if (running) return running;
    const p = this.#claim(id, conferenceId ?? undefined).finally(() => this.#inFlight.delete(id));
    this.#inFlight.set(id, p);
    return p;
  }

  /** @param {string} archiveId @param {string | undefined} conferenceId the hint's */
  async #claim(archiveId, conferenceId) {
    this.#counts.active += 1;
    let outcome = "skipped";
    let row = null;
    let error;
    try {
      const now = Date.now();
      row = await this.#ledger.acquire(archiveId, {
        owner: this.#owner,
        nowMs: now,
        leaseUntil: now + this.#policy.leaseMs,
        conferenceId,
      });
      if (row !== null) {
        row = await this.#run(row);
        if (row.state !== "seen" && row.state !== "downloading" && row.state !== "verified") {
          outcome = OUTCOME[row.state] ?? "skipped";
        }
        error = row.error ?? undefined;
      }
    } catch (e) {
      // The ledger failed (e.g. its connection dropped) or the sink threw outside a step: the
      // lease runs out by itself, and a later claim or sweep takes the archive again.
      error = e instanceof Error ? e.message : String(e);
    } finally {
      this.#counts.active -= 1;
    }
    this.#counts[outcome] += 1;
    const state = row?.state ?? null;
    this.#progress({ archiveId, state, outcome, error });
    return { archiveId, outcome, state, error };
  }

  /** Reads the record again through the API (never trusting a webhook payload). */
  async #record(row) {
    try {
      const r = await this.#client.getArchive(row.archiveId);
      const conferenceId = r?.subject?.conference_id;
      if (typeof conferenceId === "string" && conferenceId !== "") row.conferenceId = conferenceId;
      if (typeof r.sizeBytes === "number") row.sizeBytes = r.sizeBytes;
      const record = { status: String(r.status) };
      if (typeof r.sha256CheckSum === "string") record.sha256CheckSum = r.sha256CheckSum;
      if (typeof r.error === "string") record.error = r.error;
      return { record };
    } catch (e) {
      return { recordFailed: { error: stepError(e) } };
    }
  }

  /** Runs the steps of one leased archive until the core says release or done. */
  async #run(row) {
    let writer = null;
    const discard = async () => {
      const w = writer;
      writer = null;
      if (w) await w.abort().catch(() => {});
    };
    try {
      let event = await this.#record(row);
      for (;;) {
        const now = Date.now();
        const step = claimStep({
          status: statusOf(row),
          event,
          nowMs: now,
          leaseUntil: row.leaseUntil ?? undefined,
          policy: this.#policy,
        });
        const before = row.state;
        Object.assign(row, {
          state: step.status.state,
          attempts: step.status.attempts,
          mismatches: step.status.mismatches,
          failures: step.status.failures,
          remoteAbandoned: step.status.remoteAbandoned,
          sha256CheckSum: step.status.sha256CheckSum ?? row.sha256CheckSum ?? null,
          error: step.status.error ?? null,
          leaseUntil: step.leaseUntil ?? null,
          owner: step.leaseUntil === undefined ? null : this.#owner,
        });
        if (row.state !== before && row.state === "stored") row.storedAt = new Date(now).toISOString();
        if (row.state !== before && row.state === "abandoned") row.abandonedAt = new Date(now).toISOString();
        const action = step.action;
        if (action.type === "release" || action.type === "done") {
          await discard();
          if (action.type === "release") row.error = action.reason;
          await this.#ledger.save(row, { owner: this.#owner, nowMs: now });
          return row;
        }
        // Persisted before acting; a lost lease (another worker took the archive) stops here.
        if (!(await this.#ledger.save(row, { owner: this.#owner, nowMs: now }))) {
          await discard();
          row.error = "the lease was lost to another worker";
          return row;
        }
        this.#progress({ archiveId: row.archiveId, state: row.state, outcome: "active" });
        switch (action.type) {
          case "refresh":
            await sleep(action.delayMs);
            event = await this.#record(row);
            break;
          case "download": {
            await discard();
            await sleep(action.delayMs);
            const got = await this.#download(row);
            writer = got.writer;
            event = got.event;
            break;
          }
          case "store":
            try {
              const w = writer;
              writer = null;
              row.receipt = await w.commit();
              event = { stored: {} };
            } catch (e) {
              event = { storeFailed: { error: stepError(e) } };
            }
            break;
          case "abandon":
            await sleep(action.delayMs);
            try {
              await this.#client.abandonArchive(row.conferenceId);
              event = { abandoned: {} };
            } catch (e) {
              event = { abandonFailed: { error: stepError(e) } };
            }
            break;
          default:
            throw new Error(`unknown claim action ${action.type}`);
        }
      }
    } finally {
      await discard();
    }
  }

  /**
   * Downloads into a new writer of the sink, hashing as it goes, and renews the lease meanwhile.
   * Resolves to the event for claimStep and the writer (open, to be committed or discarded).
   */
  async #download(row) {
    const abort = new AbortController();
    let lost = false;
    const renew = setInterval(() => {
      const now = Date.now();
      this.#ledger
        .renew(row.archiveId, { owner: this.#owner, nowMs: now, leaseUntil: now + this.#policy.leaseMs })
        .then((ok) => {
          if (ok) row.leaseUntil = now + this.#policy.leaseMs;
          else {
            lost = true;
            abort.abort(new Error("the lease was lost to another worker"));
          }
        })
        .catch(() => {}); // the ledger is unreachable: the next save decides
    }, this.#renewEveryMs);
    let writer = null;
    // node:crypto on verifyStream's hashing threads, off the thread that receives the downloads
    // (archive-node.js, StreamHash): on the main thread, hashing 4 downloads capped the claim at
    // about 0.6x of raw downloads (bench/README.md, claim-throughput).
    const hash = platform.streamHash();
    try {
      writer = await this.#sink.open({
        archiveId: row.archiveId,
        conferenceId: row.conferenceId,
        sha256CheckSum: row.sha256CheckSum,
        sizeBytes: row.sizeBytes,
      });
      let bytes = 0;
      let last = 0;
      const stream = await this.#client.downloadArchive(row.archiveId, { signal: abort.signal });
      for await (const value of chunksOf(stream)) {
        const wait = hash.update(value);
        if (wait) await wait;
        await writer.write(value);
        bytes += value.length;
        if (this.#onProgress !== undefined && bytes - last >= 1 << 20) {
          last = bytes;
          this.#progress({ archiveId: row.archiveId, state: "downloading", outcome: "active", bytes, totalBytes: row.sizeBytes });
        }
      }
      this.#progress({ archiveId: row.archiveId, state: "downloading", outcome: "active", bytes, totalBytes: row.sizeBytes });
      const sha256 = (await hash.digest()).toString("hex");
      return { writer, event: { downloaded: { sha256, bytes } } };
    } catch (e) {
      if (writer) await writer.abort().catch(() => {});
      if (lost) throw new Error("the lease was lost to another worker");
      return { writer: null, event: { downloadFailed: { error: stepError(e) } } };
    } finally {
      clearInterval(renew);
      hash.close();
    }
  }

  /**
   * Claims the archive a webhook event names. The payload is a hint only: the record is read
   * again through the API before anything is done.
   */
  handleEvent(event) {
    const e = claimEventArgs(event); // read in the wasm core (src/wasm/js_options.rs)
    if (e.skipped !== undefined) {
      return Promise.resolve({ archiveId: null, outcome: "skipped", state: null, error: `topic ${e.skipped} is not about archives` });
    }
    return this.claim(e.archiveId, { conferenceId: e.conferenceId });
  }

  /**
   * Claims every downloadable archive not yet stored, plus every unfinished claim in the ledger
   * (e.g. stored but not yet abandoned), `concurrency` at a time. Resolves to the counts of this
   * sweep: `{ stored, quarantined, failed, skipped }`.
   */
  async sweep(options) {
    const { signal } = claimerRunOptions(options, "sweep");
    const ids = new Map();
    const rows = new Map((await this.#ledger.list()).map((r) => [r.archiveId, r]));
    const open = (id) => {
      const r = rows.get(id);
      return !r || !["abandoned", "failed", "quarantined"].includes(r.state);
    };
    for (const status of ["AVAILABLE", "FAILED"]) {
      for await (const r of this.#client.archives({ status })) {
        if (open(r.id)) ids.set(r.id, { conferenceId: r?.subject?.conference_id });
      }
    }
    for (const [id, r] of rows) if (open(id) && !ids.has(id)) ids.set(id, { conferenceId: r.conferenceId ?? undefined });
    const counts = { stored: 0, quarantined: 0, failed: 0, skipped: 0 };
    const queue = [...ids];
    const worker = async () => {
      while (queue.length > 0 && !signal?.aborted) {
        const [id, hint] = queue.shift();
        const r = await this.claim(id, hint);
        counts[r.outcome] += 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, queue.length) }, worker));
    return counts;
  }

  /**
   * Sweeps every `intervalMs` until `signal` aborts; resolves then. A sweep that fails (the API
   * or the ledger unreachable) is reported to onProgress and retried at the next interval.
   */
  async run(options) {
    const { intervalMs, signal } = claimerRunOptions(options, "run");
    while (!signal?.aborted) {
      try {
        await this.sweep({ signal });
      } catch (e) {
        this.#progress({ archiveId: null, state: null, outcome: "error", error: e instanceof Error ? e.message : String(e) });
      }
      try {
        await sleep(intervalMs, signal);
      } catch {
        break;
      }
    }
  }
}

module.exports = { ArchiveClaimer };
