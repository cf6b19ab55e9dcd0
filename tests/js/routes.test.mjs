// The TypeScript operation union of the installed package (the keys of the `routes` option)
// against the written contract, spec/flexperto-v2.json: the same operationIds, no more, no less.
// (ROUTES and the simulator's routes are held against the contract in tests/contract.rs.)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { test } from "node:test";

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve("flexperto-sdk/package.json"));
const spec = JSON.parse(readFileSync(new URL("../../spec/flexperto-v2.json", import.meta.url), "utf8"));

const fromSpec = Object.values(spec.paths)
  .flatMap((item) => Object.values(item))
  .map((op) => op?.operationId)
  .filter((id) => typeof id === "string")
  .sort();

for (const build of ["node", "web"]) {
  test(`${build}: OperationId is exactly the contract's operationIds`, () => {
    const dts = readFileSync(join(pkgDir, build, "flexperto_sdk.d.ts"), "utf8");
    const m = /export type OperationId =([^;]*);/.exec(dts);
    assert.ok(m, "OperationId is declared");
    const fromTs = [...m[1].matchAll(/"(\w+)"/g)].map((x) => x[1]).sort();
    assert.ok(fromSpec.length >= 10, "the contract lists its operations");
    assert.deepEqual(fromTs, fromSpec);
  });
}

test("every client method a drift report names is a method of FlexpertoClient", async () => {
  // A tenant document without any path: the report names the client methods of every contract
  // operation (src/drift.rs sdk_methods: the operationId's method, then the flows).
  const { FlexpertoClient } = require("flexperto-sdk");
  const empty = JSON.stringify({ swagger: "2.0", info: { title: "tenant", version: "1" }, paths: {} });
  const client = new FlexpertoClient({
    baseUrl: "https://tenant.example.com",
    apiKey: "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjIwMDAwMDAwMDB9.c2ln",
    fetch: async () => new Response(empty, { status: 200, headers: { "content-type": "application/json" } }),
  });
  const report = await client.checkSpec();
  const named = new Map(report.findings.filter((f) => f.operation).map((f) => [f.operation, f.sdkMethods]));
  assert.deepEqual([...named.keys()].sort(), fromSpec);
  for (const [operation, methods] of named) {
    assert.ok(methods.length > 0, operation);
    for (const m of methods) assert.equal(typeof client[m], "function", `${operation}: ${m}`);
  }
});
