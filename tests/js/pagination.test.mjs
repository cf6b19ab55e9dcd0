// The list iterators (users(), archives(), webhookSubscriptions(), apiTokens()) on their one
// paginator: every page from the simulator, servers that ignore offset or limit, toArray's limit.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { FlexpertoClient, generateWebhookSecret } from "flexperto-sdk";
import { startSimulator } from "flexperto-sdk/testing";

let sim;
let client;
let apiKey;
before(async () => {
  sim = await startSimulator({ args: ["--allow-http-loopback"] });
  apiKey = await sim.apiKey("admin");
  client = new FlexpertoClient({ baseUrl: sim.url, apiKey });
});
after(() => sim?.stop());

describe("against the simulator", () => {
  test("users() walks every page; pageSize and filters reach listUsers", async () => {
    const tag = Math.random().toString(36).slice(2);
    const emails = Array.from({ length: 7 }, (_, i) => `u${i}.${tag}@example.invalid`);
    for (const email of emails) await client.createUser({ email, role: "customer" });
    const before = (await sim.requests()).length;
    const got = [];
    for await (const u of client.users({ role: "customer", pageSize: 3 })) got.push(u.email);
    for (const e of emails) assert.ok(got.includes(e), e);
    assert.equal(new Set(got).size, got.length, "no user twice");
    const pages = (await sim.requests()).slice(before).filter((r) => r.path === "/api/v2/users/users");
    assert.ok(pages.length >= 3, `${pages.length} pages`);
    const one = await client.users({ email: emails[4] }).toArray({ limit: 10 });
    assert.deepEqual(one.map((u) => u.email), [emails[4]]);
  });

  test("toArray stops at its limit without fetching further pages", async () => {
    for (let i = 0; i < 5; i++) await client.createUser({ email: `t${i}.${Math.random()}@example.invalid`, role: "customer" });
    const before = (await sim.requests()).length;
    const two = await client.users({ pageSize: 2 }).toArray({ limit: 2 });
    assert.equal(two.length, 2);
    assert.equal((await sim.requests()).slice(before).length, 1, "one page was enough");
  });

  test("webhookSubscriptions() and apiTokens(): the whole list", async () => {
    const secret = generateWebhookSecret();
    const a = await client.createWebhookSubscription({ topic: "archive.available", url: `http://127.0.0.1:9/a/${secret}` }, { allowHttpLoopback: true });
    const b = await client.createWebhookSubscription({ topic: "archive.available", url: `http://127.0.0.1:9/b/${secret}` }, { allowHttpLoopback: true });
    const subs = [];
    for await (const s of client.webhookSubscriptions()) subs.push(s.id);
    assert.ok(subs.includes(a.id) && subs.includes(b.id));
    const t = await client.createApiToken({ name: "pager" });
    const tokens = await client.apiTokens().toArray({ limit: 100 });
    assert.ok(tokens.some((x) => x.id === t.id));
    assert.ok(tokens.every((x) => x.token === undefined), "no secrets in a list");
  });
});

describe("servers that page oddly (a fetch that answers as such a server)", () => {
  const user = (i) => ({ id: `u${i}`, email: `u${i}@example.invalid` });
  const oddClient = (answer) =>
    new FlexpertoClient({
      baseUrl: "https://demo.test.flexperto.com",
      apiKey,
      maxRetries: 0,
      fetch: async (request) => new Response(JSON.stringify(answer(new URL(request.url))), { status: 200, headers: { "content-type": "application/json" } }),
    });

  test("users(): a server that ignores offset stops after one page", async () => {
    let calls = 0;
    const c = oddClient(() => (calls++, { items: Array.from({ length: 10 }, (_, i) => user(i)), total: 1000 }));
    const ids = [];
    for await (const u of c.users({ pageSize: 10 })) ids.push(u.id);
    assert.equal(ids.length, 10);
    assert.equal(calls, 2, "the second page repeated the first: stop");
  });

  test("users(): a server that ignores limit (more than asked, no total) is one page", async () => {
    const c = oddClient(() => ({ items: Array.from({ length: 150 }, (_, i) => user(i)) }));
    assert.equal((await c.users({ pageSize: 100 }).toArray({ limit: 10_000 })).length, 150);
  });

  test("users(): an honest server, total on an exact multiple", async () => {
    const all = Array.from({ length: 40 }, (_, i) => user(i));
    let calls = 0;
    const c = oddClient((u) => {
      calls++;
      const offset = Number(u.searchParams.get("offset"));
      const limit = Number(u.searchParams.get("limit"));
      return { items: all.slice(offset, offset + limit), total: all.length };
    });
    assert.deepEqual((await c.users({ pageSize: 10 }).toArray({ limit: 100 })).map((x) => x.id), all.map((x) => x.id));
    assert.equal(calls, 4, "the total ended it without an empty page");
  });

  test("apiTokens(): one request, even when the list is long", async () => {
    let calls = 0;
    const c = oddClient(() => (calls++, { items: Array.from({ length: 250 }, (_, i) => ({ id: `t${i}` })) }));
    assert.equal((await c.apiTokens().toArray({ limit: 10_000 })).length, 250);
    assert.equal(calls, 1);
  });
});

describe("bad input: a ValidationError at once, before any request", () => {
  const refused = (fn, field, message = /./) =>
    assert.throws(fn, (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === field && message.test(e.message), `expected a refusal of ${field}`);
  const refusedAsync = (p, field) => assert.rejects(p, (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === field);

  test("pageSize outside 1..100, unknown options", () => {
    for (const pageSize of [0, 101, 2.5, "10"]) refused(() => client.users({ pageSize }), "pageSize");
    refused(() => client.archives({ pageSize: 0 }), "pageSize");
    refused(() => client.users({ limit: 5 }), "query", /unknown field `limit`/);
    refused(() => client.archives([]), "options");
  });

  test("toArray needs a limit from 1 to 10000 (stripe-node's cap)", async () => {
    await refusedAsync(client.users().toArray({}), "limit");
    await refusedAsync(client.users().toArray(), "options");
    await refusedAsync(client.users().toArray({ limit: 10_001 }), "limit");
    await refusedAsync(client.users().toArray({ limit: 0 }), "limit");
    await refusedAsync(client.apiTokens().toArray({ limit: 1.5 }), "limit");
  });
});
