// Starts the CRM demo (`node www/server.mjs`) for the browser tests, on a free port and the
// embedded simulator, with its data (CRM database, ledger, stored archives) in a fresh folder.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../..", import.meta.url));

/** Debian's chromium, launched the way every browser test here launches it. */
export const CHROMIUM = {
  executablePath: "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
};

/**
 * Starts the demo server; resolves once it printed `demo ready: URL` (its only stdout line) to
 * `{ url, simUrl, dataDir, child, output(), stop() }`. `env` is added to a copy of the
 * environment without any FLEXPERTO_ variable (so the simulator is used).
 */
export async function startDemo({ env: extra = {}, dataDir } = {}) {
  const env = { ...process.env, PORT: "0" };
  for (const name of Object.keys(env)) if (name.startsWith("FLEXPERTO_") && name !== "FLEXPERTO_SIM_BIN") delete env[name];
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), "flexperto-demo-"));
  Object.assign(env, { DEMO_DATA_DIR: dir }, extra);
  const child = spawn(process.execPath, ["www/server.mjs"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const stdout = [];
  child.stderr.on("data", (d) => (output += d));
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    stdout.push(line);
    output += `${line}\n`;
  });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start in 30 s:\n${output}`)), 30_000);
    child.once("exit", (code) => reject(new Error(`the demo exited with ${code}:\n${output}`)));
    lines.once("line", (line) => {
      clearTimeout(timer);
      const m = /^demo ready: (http:\/\/127\.0\.0\.1:\d+)\/$/.exec(line);
      m ? resolve(m[1]) : reject(new Error(`unexpected first line ${JSON.stringify(line)}:\n${output}`));
    });
  });
  // stderr is another pipe: its line about the backend (printed before the ready line) may come later.
  const backend = /backend: (?:simulator (http:\/\/\S+)|tenant)/;
  for (let i = 0; i < 100 && !backend.test(output); i++) await new Promise((r) => setTimeout(r, 20));
  const sim = backend.exec(output);
  return {
    url,
    simUrl: sim?.[1],
    dataDir: dir,
    child,
    stdout,
    output: () => output,
    /** SIGTERM, then SIGKILL after 5 s; resolves to the exit code (or signal). */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode;
      const exited = new Promise((r) => child.once("exit", (code, signal) => r(code ?? signal)));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
