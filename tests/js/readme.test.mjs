// Runs every ```js example of the installed package's README against the simulator. The examples
// are written for a real tenant; only `tenant: "demo", environment: "test"` is swapped for the
// simulator's baseUrl, and the key comes from FLEXPERTO_API_KEY as in the README.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { promisify } from "node:util";

import { startSim } from "../../www/sim.mjs";

const require = createRequire(import.meta.url);
const readme = readFileSync(join(dirname(require.resolve("flexperto-sdk/package.json")), "README.md"), "utf8");
const examples = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
const dir = fileURLToPath(new URL("../../target/readme-examples/", import.meta.url));

let sim;
let apiKey;
before(async () => {
  sim = await startSim();
  apiKey = await sim.apiKey("admin");
  // An archive for the claiming example to download, verify and abandon.
  const { archiveId } = await sim.endConference({ sizeBytes: 200_000 });
  await sim.advanceClock(3);
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${sim.url}/api/v2/communication/archives/archives/${archiveId}`, { headers: { "api-key": apiKey } });
    if ((await res.json()).status === "AVAILABLE") break;
    await new Promise((r) => setTimeout(r, 50));
  }
  mkdirSync(dir, { recursive: true });
});
after(() => sim?.stop());

test("the README has examples", () => assert.ok(examples.length >= 4, `${examples.length} examples`));

examples.forEach((code, i) => {
  test(`README example ${i + 1} runs`, async () => {
    const local = code.replace(/tenant: "demo",\s*environment: "test",/g, "baseUrl: process.env.FLEXPERTO_BASE_URL,");
    const file = join(dir, `example-${i + 1}.mjs`);
    writeFileSync(file, local);
    const { stdout } = await promisify(execFile)(process.execPath, [file], {
      env: { ...process.env, FLEXPERTO_API_KEY: apiKey, FLEXPERTO_BASE_URL: sim.url },
      timeout: 20_000,
    });
    assert.ok(!stdout.includes(apiKey));
    if (code.includes("client.archives(")) assert.match(stdout, /claimed 1 archives/);
  });
});
