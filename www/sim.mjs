// Starts the Flexperto simulator binary as a child process and talks to its /_sim/ control API.
// Used by the demo (www/server.mjs), the node tests and the benchmarks.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
export const SIM_BIN = process.env.FLEXPERTO_SIM_BIN ?? `${root}target/release/flexperto-sim`;

/**
 * Spawns `flexperto-sim --port 0` and resolves once it prints its address.
 * @param {{ args?: string[], bin?: string }} [opts]
 */
export async function startSim(opts = {}) {
  const bin = opts.bin ?? SIM_BIN;
  if (!existsSync(bin)) {
    throw new Error(`simulator binary not found at ${bin}: run scripts/build.sh first`);
  }
  const child = spawn(bin, ["--port", "0", ...(opts.args ?? [])], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("simulator did not start within 10 s")), 10_000);
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
    lines.once("line", (line) => {
      clearTimeout(timer);
      const m = /^listening on (http:\/\/\S+)$/.exec(line);
      m ? resolve(m[1]) : reject(new Error(`unexpected first line: ${line}`));
    });
  });
  return new Sim(url, child);
}

export class Sim {
  constructor(url, child) {
    this.url = url;
    this.child = child;
  }

  async control(method, path, body) {
    const res = await fetch(`${this.url}/_sim/${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`/_sim/${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** A fresh API key of `role` ("admin", "expert" or "customer"). */
  async apiKey(role = "admin") {
    return (await this.control("POST", "api-keys", { role })).apiKey;
  }

  fault(spec) {
    return this.control("POST", "faults", spec);
  }

  async requests() {
    return (await this.control("GET", "requests")).items;
  }

  /** The storage origin's base URL (archive downloads redirect there). */
  async storageUrl() {
    return (await this.control("GET", "storage")).url;
  }

  /**
   * Ends a conference, which creates its archive: resolves to `{ conferenceId, archiveId, record }`.
   * @param {{ sizeBytes?: number, fail?: boolean, error?: string, stepSeconds?: number,
   *   durationSeconds?: number, tenantId?: string, moderator?: object, participants?: object[] }} [opts]
   */
  endConference(opts = {}) {
    return this.control("POST", "conferences", opts);
  }

  /** What the storage origin saw, every header included. */
  async storageRequests() {
    return (await this.control("GET", "storage/requests")).items;
  }

  /** A storage fault, e.g. `{ kind: "truncate", afterBytes: 1000000, times: 1 }`. */
  storageFault(spec) {
    return this.control("POST", "storage/faults", spec);
  }

  advanceClock(seconds) {
    return this.control("POST", "clock/advance", { seconds });
  }

  reset() {
    return this.control("POST", "reset");
  }

  async stop() {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.kill("SIGTERM");
    await exited;
  }
}
