// Starts the Flexperto simulator binary as a child process and talks to its /_sim/ control API.
// Used by the demo (www/server.mjs), the node tests and the benchmarks.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { Simulator } from "flexperto-sdk/testing";

const root = fileURLToPath(new URL("..", import.meta.url));
export const SIM_BIN = process.env.FLEXPERTO_SIM_BIN ?? `${root}target/release/flexperto-sim`;

/**
 * Spawns `flexperto-sim --port 0` and resolves once it prints its address: the package's own
 * `Simulator` (flexperto-sdk/testing), with the storage helpers the tests and the demo use.
 * @param {{ args?: string[], bin?: string }} [opts]
 */
export async function startSim(opts = {}) {
  const bin = opts.bin ?? SIM_BIN;
  if (!existsSync(bin)) {
    throw new Error(`simulator binary not found at ${bin}: run scripts/build.sh first`);
  }
  return Sim.start({ bin, args: opts.args });
}

export class Sim extends Simulator {
  constructor(url, child) {
    super(url, child);
    /** The simulator's process (the demo watches it; the benchmarks read its CPU time). */
    this.child = child;
  }

  /** The storage origin's base URL (archive downloads redirect there). */
  async storageUrl() {
    return (await this.control("GET", "storage")).url;
  }

  /**
   * Ends a conference of `sizeBytes`, moves the clock past its packing steps and waits (through
   * `client`) until its archive is AVAILABLE: `{ archiveId, record, seconds }` (the time the
   * simulator took to pack and hash it). Throws after `timeoutMs` or when the archive FAILs.
   */
  async availableArchive(client, { sizeBytes, timeoutMs = 300_000 }) {
    const { archiveId } = await this.endConference({ sizeBytes });
    await this.advanceClock(3);
    const t0 = performance.now();
    for (;;) {
      const record = await client.getArchive(archiveId);
      if (record.status === "AVAILABLE") return { archiveId, record, seconds: (performance.now() - t0) / 1000 };
      if (record.status === "FAILED" || performance.now() - t0 > timeoutMs) throw new Error(`archive not AVAILABLE: ${record.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** What the storage origin saw, every header included. */
  async storageRequests() {
    return (await this.control("GET", "storage/requests")).items;
  }

  /** A storage fault, e.g. `{ kind: "truncate", afterBytes: 1000000, times: 1 }`. */
  storageFault(spec) {
    return this.control("POST", "storage/faults", spec);
  }
}
