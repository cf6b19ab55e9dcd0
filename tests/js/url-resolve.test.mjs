// Callback URLs and DNS on the installed package: validateCallbackUrl(url, { resolve: true,
// lookup }) checks every address a name resolves to, createWebhookSubscription does so by
// default in Node (the client's or the call's lookup, else dns.lookup), and options are checked.
import assert from "node:assert/strict";
import dns from "node:dns";
import { after, before, describe, test } from "node:test";

import { FlexpertoClient, validateCallbackUrl } from "flexperto-sdk";
import { startSim } from "../../www/sim.mjs";

const S = "F40mfum7pZC8DtdgGOYSijx26blP0HLs";
const URL_ = `https://crm.example.com/callbacks/flexperto/${S}`;

/** A dns.lookup-style resolver that answers `addresses` for every name, and records the calls. */
function fakeLookup(addresses, calls = []) {
  const fn = (hostname, options, callback) => {
    calls.push({ hostname, options });
    setImmediate(() => callback(null, addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }))));
  };
  fn.calls = calls;
  return fn;
}

function failingLookup(code) {
  return (hostname, options, callback) => {
    const e = new Error(`getaddrinfo ${code} ${hostname}`);
    e.code = code;
    setImmediate(() => callback(e));
  };
}

async function rejectsCode(p, name, code) {
  await assert.rejects(p, (e) => {
    assert.equal(e.name, name, String(e));
    assert.equal(e.code, code, String(e));
    return true;
  });
}

function throwsCode(fn, name, code) {
  assert.throws(fn, (e) => {
    assert.equal(e.name, name, String(e));
    assert.equal(e.code, code, String(e));
    return true;
  });
}

describe("validateCallbackUrl with resolve", () => {
  test("a name resolving to a private or loopback address is refused", async () => {
    for (const addrs of [["10.0.0.1"], ["127.0.0.1"], ["93.184.215.14", "10.0.0.1"], ["::1"], ["fd00::1"], ["::ffff:10.0.0.1"], ["169.254.169.254"]]) {
      const lookup = fakeLookup(addrs);
      await assert.rejects(validateCallbackUrl(URL_, { resolve: true, lookup }), (e) => {
        assert.equal(e.name, "WebhookError");
        assert.equal(e.code, "SPECIAL_PURPOSE_ADDRESS", `${addrs}: ${e}`);
        assert.equal(e.host, "crm.example.com");
        assert.match(e.message, /crm\.example\.com resolves to/);
        assert.ok(!e.message.includes(S), "the secret never appears in a message");
        return true;
      });
      assert.deepEqual(lookup.calls, [{ hostname: "crm.example.com", options: { all: true } }]);
    }
  });

  test("public addresses are accepted, every one checked and reported", async () => {
    const lookup = fakeLookup(["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]);
    const checked = await validateCallbackUrl(URL_, { resolve: true, lookup });
    assert.equal(checked.host, "crm.example.com");
    assert.equal(checked.hostType, "domain");
    assert.equal(checked.resolved, true);
    assert.deepEqual(checked.addresses, ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]);
    // The host resolved is the WHATWG one: upper case and full-width letters fold first.
    const calls = [];
    await validateCallbackUrl(`https://ＣＲＭ.Example.COM/cb/${S}`, { resolve: true, lookup: fakeLookup(["8.8.8.8"], calls) });
    assert.equal(calls[0].hostname, "crm.example.com");
  });

  test("a Promise-returning lookup (dns.promises style) and plain address strings work", async () => {
    const lookup = async () => ["8.8.4.4"];
    assert.deepEqual((await validateCallbackUrl(URL_, { resolve: true, lookup })).addresses, ["8.8.4.4"]);
    await rejectsCode(validateCallbackUrl(URL_, { resolve: true, lookup: async () => "127.0.0.1" }), "WebhookError", "SPECIAL_PURPOSE_ADDRESS");
  });

  test("lookup errors and odd answers are typed UNRESOLVABLE_HOST errors", async () => {
    for (const lookup of [
      failingLookup("ENOTFOUND"),
      failingLookup("EAI_AGAIN"),
      () => { throw new Error("boom"); },
      async () => { throw new Error("rejected"); },
      fakeLookup([]),
      async () => [{ address: "not an address" }],
      async () => 42,
    ]) {
      await assert.rejects(validateCallbackUrl(URL_, { resolve: true, lookup }), (e) => {
        assert.equal(e.name, "WebhookError", String(e));
        assert.equal(e.code, "UNRESOLVABLE_HOST", String(e));
        assert.equal(e.host, "crm.example.com");
        return true;
      });
    }
    const e = await validateCallbackUrl(URL_, { resolve: true, lookup: failingLookup("ENOTFOUND") }).catch((x) => x);
    assert.match(e.message, /ENOTFOUND/);
  });

  test("the default resolver is Node's dns.lookup", async (t) => {
    const seen = [];
    t.mock.method(dns, "lookup", (hostname, options, callback) => {
      seen.push(hostname);
      callback(null, [{ address: "10.1.2.3", family: 4 }]);
    });
    await rejectsCode(validateCallbackUrl(URL_, { resolve: true }), "WebhookError", "SPECIAL_PURPOSE_ADDRESS");
    assert.deepEqual(seen, ["crm.example.com"]);
  });

  test("IP literals and the http loopback exemption need no lookup", async () => {
    const lookup = fakeLookup(["10.0.0.1"]);
    const lit = await validateCallbackUrl(`https://8.8.8.8/cb/${S}`, { resolve: true, lookup });
    assert.equal(lit.resolved, false);
    assert.deepEqual(lit.addresses, ["8.8.8.8"]);
    const local = await validateCallbackUrl(`http://localhost:8080/cb/${S}`, { resolve: true, lookup, allowHttpLoopback: true });
    assert.equal(local.httpLoopback, true);
    assert.equal(lookup.calls.length, 0);
    // A URL refused on its own is refused before any lookup, as a rejection.
    await rejectsCode(validateCallbackUrl(`https://10.0.0.1/cb/${S}`, { resolve: true, lookup }), "WebhookError", "SPECIAL_PURPOSE_ADDRESS");
    await rejectsCode(validateCallbackUrl(`https://crm.example.com/cb/short`, { resolve: true, lookup }), "WebhookError", "NO_SECRET_SEGMENT");
    assert.equal(lookup.calls.length, 0);
  });

  test("without resolve the check is synchronous and does no DNS", () => {
    const checked = validateCallbackUrl(URL_);
    assert.equal(checked.host, "crm.example.com");
    assert.equal(checked.resolved, false);
    assert.deepEqual(checked.addresses, []);
    assert.equal(validateCallbackUrl(URL_, { resolve: false }).host, "crm.example.com");
  });

  test("unknown options and values of the wrong type are refused", () => {
    for (const options of [
      { resolv: true },
      { allowHttpLoopback: true, extra: 1 },
      { [Symbol("x")]: 1 },
      { resolve: "yes" },
      { allowHttpLoopback: 1 },
      { lookup: "dns" },
      { lookup: () => {} },
      "resolve",
      42,
      [],
      () => {},
    ]) {
      throwsCode(() => validateCallbackUrl(URL_, options), "ValidationError", "INVALID_ARGUMENT");
    }
    const getter = { get resolve() { throw new Error("getter"); } };
    throwsCode(() => validateCallbackUrl(URL_, getter), "ValidationError", "INVALID_ARGUMENT");
    const e = (() => { try { validateCallbackUrl(URL_, { resolv: true }); } catch (x) { return x; } })();
    assert.equal(e.field, "options");
    assert.match(e.message, /unknown option "resolv"/);
    for (const url of [undefined, null, 42, {}, Symbol("u")]) {
      throwsCode(() => validateCallbackUrl(url), "ValidationError", "INVALID_ARGUMENT");
    }
  });
});

describe("createWebhookSubscription resolves the callback's name", () => {
  let sim;
  let key;
  before(async () => {
    sim = await startSim({ args: ["--allow-http-loopback"] });
    key = await sim.apiKey("admin");
  });
  after(() => sim?.stop());

  const subscriptionRequests = async () =>
    (await sim.requests()).filter((r) => r.method === "POST" && /subscriptions\/webhook$/.test(r.path)).length;

  test("a name resolving to 10.0.0.1 or 127.0.0.1 is refused before any request", async () => {
    for (const addr of ["10.0.0.1", "127.0.0.1"]) {
      const client = new FlexpertoClient({ baseUrl: sim.url, apiKey: key, lookup: fakeLookup([addr]) });
      const before = await subscriptionRequests();
      await rejectsCode(client.createWebhookSubscription({ topic: "archive.available", url: URL_ }), "WebhookError", "SPECIAL_PURPOSE_ADDRESS");
      assert.equal(await subscriptionRequests(), before, "no request was sent");
    }
  });

  test("by default in Node it resolves with dns.lookup", async (t) => {
    t.mock.method(dns, "lookup", (hostname, options, callback) => callback(null, [{ address: "127.0.0.1", family: 4 }]));
    const client = new FlexpertoClient({ baseUrl: sim.url, apiKey: key });
    await rejectsCode(client.createWebhookSubscription({ topic: "archive.available", url: URL_ }), "WebhookError", "SPECIAL_PURPOSE_ADDRESS");
    t.mock.method(dns, "lookup", (hostname, options, callback) => callback(Object.assign(new Error("nope"), { code: "ENOTFOUND" })));
    await rejectsCode(client.createWebhookSubscription({ topic: "archive.available", url: URL_ }), "WebhookError", "UNRESOLVABLE_HOST");
  });

  test("a public address registers; the call's lookup wins over the client's; resolve: false skips DNS", async () => {
    const client = new FlexpertoClient({ baseUrl: sim.url, apiKey: key, lookup: fakeLookup(["10.0.0.1"]) });
    const sub = await client.createWebhookSubscription({ topic: "archive.available", url: URL_ }, { lookup: fakeLookup(["93.184.215.14"]) });
    assert.equal(sub.url, URL_);
    await client.deleteWebhookSubscription(sub.id);
    const skip = await client.createWebhookSubscription({ topic: "archive.available", url: URL_ }, { resolve: false });
    await client.deleteWebhookSubscription(skip.id);
    // http loopback callbacks for the simulator keep working, with no DNS.
    const local = await client.createWebhookSubscription({ topic: "archive.available", url: `http://127.0.0.1:9/cb/${S}` }, { allowHttpLoopback: true });
    await client.deleteWebhookSubscription(local.id);
  });

  test("bad options are typed errors: the client's lookup, the call's options", async () => {
    throwsCode(() => new FlexpertoClient({ baseUrl: sim.url, apiKey: key, lookup: "dns" }), "ConfigError", "INVALID_OPTION");
    const client = new FlexpertoClient({ baseUrl: sim.url, apiKey: key });
    await rejectsCode(client.createWebhookSubscription({ topic: "archive.available", url: URL_ }, { allowHttpLoopbak: true }), "ValidationError", "INVALID_ARGUMENT");
    await rejectsCode(client.createWebhookSubscription({ topic: "archive.available", url: URL_ }, { resolve: 1 }), "ValidationError", "INVALID_ARGUMENT");
  });
});
