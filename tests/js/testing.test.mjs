// flexperto-sdk/testing: the builders produce what the real parsers accept, the fake client is
// the real client over an in-memory tenant that answers every operation of the contract and
// behaves as the simulator does where a unit test would notice, and startSimulator starts the
// binary of the flexperto-sim package.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { FlexpertoClient, WebhookVerifier, generateWebhookSecret, isDownloadable, isTerminal } from "flexperto-sdk";
import { ARCHIVE_STATUSES, FakeFlexpertoClient, archiveNotification, archiveRecord, contractOperations, startSimulator } from "flexperto-sdk/testing";

describe("builders", () => {
  test("archiveNotification passes the real verifier, fields as given", () => {
    const secret = generateWebhookSecret();
    const v = new WebhookVerifier({ secrets: [secret] });
    const n = archiveNotification({ archiveId: "arc_9", conferenceId: "conf_9" });
    const e = v.verify({ path: `/cb/${secret}`, headers: { "content-type": "application/json" }, body: JSON.stringify(n) });
    assert.deepEqual([e.topic, e.archiveId, e.conferenceId, e.dedupeKey], ["archive.available", "arc_9", "conf_9", "archive.available:arc_9"]);
    assert.equal(e.sha256CheckSum, n.data.sha256CheckSum);
    assert.notEqual(archiveNotification().data.archive_id, archiveNotification().data.archive_id, "fresh ids");
  });

  test("archiveRecord: a record in every status that the client's parser accepts", async () => {
    const records = ARCHIVE_STATUSES.map((s) => archiveRecord(s));
    const client = new FlexpertoClient({
      baseUrl: "https://demo.test.flexperto.com",
      apiKey: await fixtureKey(),
      fetch: async () => new Response(JSON.stringify({ items: records, total: records.length }), { headers: { "content-type": "application/json" } }),
    });
    const page = await client.listArchives();
    assert.deepEqual(page.items.map((r) => r.status), [...ARCHIVE_STATUSES]);
    for (const r of page.items) {
      assert.equal(isDownloadable(r.status), ["AVAILABLE", "ABANDONED"].includes(r.status), r.status);
      assert.equal(isTerminal(r.status), ["FAILED", "EXPIRED"].includes(r.status), r.status);
      assert.equal(typeof r.sha256CheckSum === "string", ["AVAILABLE", "ABANDONED", "EXPIRED"].includes(r.status), r.status);
    }
    assert.equal(archiveRecord("FAILED").error.length > 0, true);
    assert.throws(() => archiveRecord("DONE"), TypeError);
  });
});

/** A key the client accepts (a JWT-shaped string, as the simulator issues). */
let key;
async function fixtureKey() {
  if (key) return key;
  const sim = await startSimulator();
  try {
    key = await sim.apiKey();
  } finally {
    await sim.stop();
  }
  return key;
}

describe("FakeFlexpertoClient", () => {
  test("is the real client, and answers every operation of the contract from its state and from the contract alone", async () => {
    const spec = JSON.parse(readFileSync(new URL("../../spec/flexperto-v2.json", import.meta.url), "utf8"));
    const inSpec = Object.entries(spec.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, op]) => op?.operationId !== undefined)
        .map(([method, op]) => `${method.toUpperCase()} ${spec.basePath}${path} ${op.operationId}`),
    );
    const operations = contractOperations();
    assert.deepEqual(operations.map((o) => `${o.method} ${o.path} ${o.operationId}`), inSpec);
    for (const stateful of [true, false]) {
      const c = new FakeFlexpertoClient({ stateful });
      assert.ok(c instanceof FlexpertoClient);
      // One call of the real client's method for each operation (its parser reads the answer):
      // an operation added to the contract needs its call here, or this test names it.
      const archive = c.addArchive({ ...archiveRecord("AVAILABLE"), content: new TextEncoder().encode("zip") });
      const user = await c.createUser({ email: "tour@example.invalid" });
      await c.listUsers({ limit: 10 });
      await c.confirmEmail(user.id);
      await c.reserveMeeting({ moderatorAccountId: user.id, accessLinkValidUntil: new Date(Date.now() + 3_600_000) });
      await c.listArchives();
      await c.getArchive(archive.id);
      await c.archiveDownloadUrl(archive.id);
      await c.abandonArchive(archive.subject.conference_id);
      const sub = await c.createWebhookSubscription({ topic: "archive.available", url: `https://crm.example/cb/${generateWebhookSecret()}` });
      await c.listWebhookSubscriptions();
      await c.listWebhookSubscriptionReports(sub.id);
      await c.deleteWebhookSubscription(sub.id);
      const token = await c.createApiToken({ name: "tour" });
      await c.listApiTokens();
      await c.revokeApiToken(token.id);
      await c.getPlatformSettings();
      await c.updatePlatformSettings({ enableAutomaticArchivingOfConferences: false });
      const report = await c.checkSpec();
      // The stateful tenant serves the package's own contract; the contract alone answers a bare document.
      assert.equal(report.breaking, !stateful);
      const answered = new Set(c.requests.filter((r) => r.status < 400).map((r) => r.operationId));
      assert.deepEqual(operations.map((o) => o.operationId).filter((id) => !answered.has(id)), [], `operations not answered (stateful: ${stateful})`);
      if (!stateful) {
        for (const r of c.requests) assert.equal(r.status, operations.find((o) => o.operationId === r.operationId).status, r.operationId);
        assert.equal((await c.getArchive(archive.id)).id, operations.find((o) => o.operationId === "getArchive").body.id, "the contract's record, not the seeded one");
      }
    }
  });

  test("provisions, calls, lists and pages in memory, recording each call", async () => {
    const c = new FakeFlexpertoClient();
    const e = await c.ensureExpert({ email: "erika@example.invalid", firstName: "Erika" });
    assert.deepEqual([e.created, e.confirmed], [true, true]);
    assert.deepEqual(await c.ensureExpert({ email: "erika@example.invalid" }), { accountId: e.accountId, created: false, confirmed: false });
    const call = await c.startVideoCall({ expert: { accountId: e.accountId }, customer: { email: "c@example.invalid" }, validForMinutes: 30 });
    assert.equal(call.expertAccountId, e.accountId);
    assert.ok(call.participantLinks[0].validUntil > call.participantLinks[0].notBefore);
    await assert.rejects(c.createUser({ email: "erika@example.invalid" }), (x) => x.name === "ApiError" && x.status === 409);
    await assert.rejects(c.createUser({ email: "nope" }), (x) => x.name === "ValidationError");
    for (let i = 0; i < 5; i++) await c.createUser({ email: `u${i}@example.invalid`, role: "customer" });
    const customers = await c.users({ role: "customer", pageSize: 2 }).toArray({ limit: 100 });
    assert.equal(customers.length, 5);
    assert.equal(c.calls.filter((x) => x.method === "listUsers").length, 3);
    await assert.rejects(c.confirmEmail("usr_missing"), (x) => x.code === "NOT_FOUND");
  });

  test("archives: seeded records, downloads only with a file, abandon once", async () => {
    const c = new FakeFlexpertoClient();
    const ready = c.addArchive({ ...archiveRecord("AVAILABLE"), content: new TextEncoder().encode("zip") });
    const packing = c.addArchive(archiveRecord("PACKING"));
    assert.deepEqual((await c.archives({ status: "AVAILABLE" }).toArray({ limit: 10 })).map((r) => r.id), [ready.id]);
    const body = await new Response(await c.downloadArchive(ready.id)).text();
    assert.equal(body, "zip");
    await assert.rejects(c.downloadArchive(packing.id), (x) => x.code === "CONFLICT");
    const abandoned = await c.abandonArchive(ready.subject.conference_id);
    assert.equal(abandoned.status, "ABANDONED");
    // As the simulator: abandoning sets expiresAt, 3 days after abandonedAt, and a second abandon
    // answers the record again (200), unchanged.
    assert.equal(Date.parse(abandoned.expiresAt) - Date.parse(abandoned.abandonedAt), 3 * 86_400_000);
    assert.deepEqual(await c.abandonArchive(ready.subject.conference_id), abandoned);
    assert.deepEqual(c.requests.filter((r) => r.operationId === "abandonArchive").map((r) => r.status), [200, 200]);
    await assert.rejects(c.abandonArchive(packing.subject.conference_id), (x) => x.status === 409 && x.code === "CONFLICT");
    // Past its expiresAt, an abandoned archive is EXPIRED, and has no file to download.
    const old = c.addArchive(archiveRecord("ABANDONED", { expiresAt: new Date(Date.now() - 1000).toISOString() }));
    assert.equal((await c.getArchive(old.id)).status, "EXPIRED");
    await assert.rejects(c.downloadArchive(old.id), (x) => x.code === "CONFLICT");
  });

  test("pages as the simulator does: 20 items unless a limit is given, offset past the end empty", async () => {
    const c = new FakeFlexpertoClient();
    for (let i = 0; i < 25; i++) {
      await c.createUser({ email: `p${i}@example.invalid`, role: "customer" });
      c.addArchive(archiveRecord("AVAILABLE"));
    }
    const users = await c.listUsers();
    assert.deepEqual([users.items.length, users.total, users.limit, users.offset], [20, 25, 20, 0]);
    const archives = await c.listArchives();
    assert.deepEqual([archives.items.length, archives.total], [20, 25]);
    assert.equal((await c.listUsers({ limit: 100, offset: 20 })).items.length, 5);
    assert.equal((await c.listArchives({ offset: 30 })).items.length, 0);
    assert.equal((await c.listUsers({ email: "P3@EXAMPLE.invalid" })).total, 1, "e-mail matched without regard to case");
  });

  test("confirmEmail answers the user every time; createUser ignores id, emailConfirmed and createdAt and refuses an e-mail taken in another case", async () => {
    const c = new FakeFlexpertoClient();
    const u = await c.createUser({ email: "twice@example.invalid", id: "usr_mine", emailConfirmed: true });
    assert.notEqual(u.id, "usr_mine");
    assert.equal(u.emailConfirmed, false);
    const first = await c.confirmEmail(u.id);
    assert.equal(first.emailConfirmed, true);
    assert.deepEqual(await c.confirmEmail(u.id), first);
    await assert.rejects(c.createUser({ email: "TWICE@example.invalid" }), (x) => x.status === 409 && x.code === "CONFLICT");
  });

  test("the same calls answer alike from the simulator and from the fake", async () => {
    const sim = await startSimulator();
    try {
      const real = await sim.client();
      const fake = new FakeFlexpertoClient();
      const script = async (c, available) => {
        const out = {};
        for (let i = 0; i < 22; i++) await c.createUser({ email: `same${i}@example.invalid`, role: "customer" }, { suppressMails: true });
        const page = await c.listUsers({ role: "customer" });
        out.page = [page.items.length, page.limit, page.offset, page.total];
        const u = page.items[0];
        const confirmed = [await c.confirmEmail(u.id), await c.confirmEmail(u.id)];
        out.confirmed = confirmed.map((x) => [x.id === u.id, x.emailConfirmed, Object.keys(x).sort()]);
        const { conferenceId } = await available(c);
        const once = await c.abandonArchive(conferenceId);
        const again = await c.abandonArchive(conferenceId);
        out.abandoned = [once.status, again.status, Date.parse(once.expiresAt) - Date.parse(once.abandonedAt), Object.keys(again).sort()];
        out.archivePage = Object.keys(await c.listArchives()).sort();
        const token = await c.createApiToken({ name: "same" });
        await c.revokeApiToken(token.id);
        await c.revokeApiToken(token.id);
        const listed = (await c.listApiTokens()).items.find((t) => t.id === token.id);
        out.token = [typeof listed.revokedAt, Date.parse(token.expiresAt) - Date.parse(token.createdAt)];
        const settings = await c.updatePlatformSettings({ enableAutomaticArchivingOfConferences: false });
        out.settings = Object.keys(settings).sort();
        const sub = await c.createWebhookSubscription({ topic: "archive.available", url: `https://crm.example/cb/${generateWebhookSecret()}` }, { resolve: false });
        out.subscription = [Object.keys(sub).sort(), Date.parse(sub.createdAt) % 1000];
        return out;
      };
      const onSim = await script(real, async () => {
        const { archiveId, conferenceId } = await sim.endConference({ sizeBytes: 20_000 });
        await sim.advanceClock(3);
        for (let i = 0; i < 200 && (await real.getArchive(archiveId)).status !== "AVAILABLE"; i++) await new Promise((r) => setTimeout(r, 50));
        return { conferenceId };
      });
      const onFake = await script(fake, async () => ({ conferenceId: fake.addArchive(archiveRecord("AVAILABLE")).subject.conference_id }));
      assert.deepEqual(onFake, onSim);
    } finally {
      await sim.stop();
    }
  });

  test("meetings as the simulator reserves them: an expert moderates, the window in whole seconds, 24 hours by default", async () => {
    const c = new FakeFlexpertoClient();
    const customer = await c.createUser({ email: "cust@example.invalid", role: "customer" });
    await assert.rejects(c.reserveMeeting({ moderatorAccountId: "usr_missing" }), (x) => x.status === 422 && x.code === "UNPROCESSABLE");
    await assert.rejects(c.reserveMeeting({ moderatorAccountId: customer.id }), (x) => x.status === 422 && /expert/.test(x.message));
    const expert = await c.createUser({ email: "exp@example.invalid" });
    const m = await c.reserveMeeting({ moderatorAccountId: expert.id, participants: [{ firstName: "Kim" }] });
    assert.equal(m.accessLinkValidUntil - m.accessLinkNotBefore, 24 * 3600 * 1000);
    const from = new Date(Date.now() + 60_500);
    const w = await c.reserveMeeting({ moderatorAccountId: expert.id, accessLinkNotBefore: from, accessLinkValidUntil: new Date(from.getTime() + 600_000) });
    assert.equal(w.accessLinkNotBefore.valueOf(), Math.ceil(from.getTime() / 1000) * 1000, "the start rounded up to a whole second");
  });

  test("a path the tenant does not serve is a 404 with the simulator's error body", async () => {
    const routes = { getPlatformSettings: "/api/v2/nowhere" };
    const sim = await startSimulator();
    try {
      const errors = [];
      for (const c of [new FlexpertoClient({ baseUrl: sim.url, apiKey: await sim.apiKey(), routes }), new FakeFlexpertoClient({ routes })]) {
        await c.getPlatformSettings().then(
          () => assert.fail("answered"),
          (e) => errors.push([e.name, e.status, e.code, e.body]),
        );
      }
      assert.deepEqual(errors[1], errors[0]);
      assert.deepEqual(errors[0], ["ApiError", 404, "NOT_FOUND", { status: 404, code: "NOT_FOUND", message: "no such route" }]);
    } finally {
      await sim.stop();
    }
  });

  test("its options are checked: no fetch of your own, stateful a boolean", () => {
    const refused = (options, what) =>
      assert.throws(() => new FakeFlexpertoClient(options), (x) => x instanceof Error && x.name === "ConfigError" && x.code === "INVALID_OPTION" && x.message.includes(what));
    refused({ fetch: async () => new Response("{}") }, "fetch");
    refused({ stateful: "no" }, "stateful");
    refused({ stateful: 0 }, "stateful");
    refused(null, "options");
    assert.ok(new FakeFlexpertoClient({ stateful: false }) instanceof FlexpertoClient);
  });

  test("serves its base URL's path; a route that would leave it is refused by the client", async () => {
    const c = new FakeFlexpertoClient({ baseUrl: "https://fake.test.flexperto.com/api" });
    assert.deepEqual(Object.keys(await c.getPlatformSettings()).length, 3);
    // `%2e%2e` is `..` to a URL parser (WHATWG's double-dot segment): the client refuses it as it
    // refuses `..`, so no request can leave the base path for /apiX/... .
    for (const path of ["/%2e%2e/apiX/v2/platform/settings", "/.%2E/apiX/v2/platform/settings", "/../apiX/v2/platform/settings"]) {
      assert.throws(
        () => new FakeFlexpertoClient({ baseUrl: "https://fake.test.flexperto.com/api", routes: { getPlatformSettings: path } }),
        (e) => e.name === "ConfigError" && e.code === "INVALID_ROUTE",
        path,
      );
    }
  });

  test("webhook subscriptions follow the real callback URL rules", async () => {
    const c = new FakeFlexpertoClient();
    await assert.rejects(c.createWebhookSubscription({ topic: "archive.available", url: "https://crm.example/cb" }), (x) => x.code === "NO_SECRET_SEGMENT");
    const s = await c.createWebhookSubscription({ topic: "archive.available", url: `https://crm.example/cb/${generateWebhookSecret()}` });
    assert.deepEqual((await c.webhookSubscriptions().toArray({ limit: 10 })).map((x) => x.id), [s.id]);
    await c.deleteWebhookSubscription(s.id);
    await assert.rejects(c.deleteWebhookSubscription(s.id), (x) => x.status === 404);
  });

  test("settings, API keys and callback names: the real client's rules over the fake's state", async () => {
    const c = new FakeFlexpertoClient();
    await c.updatePlatformSettings({ enableAutomaticRecording: true });
    await assert.rejects(c.updatePlatformSettings({ enableRecordingVerbalConsent: true }), (x) => x.code === "RECORDING_MODES_EXCLUSIVE");
    assert.deepEqual(await c.getPlatformSettings(), { ...c.settings, enableAutomaticRecording: true, enableRecordingVerbalConsent: false });
    const t = await c.createApiToken({ name: "ci" });
    assert.equal(typeof t.token, "string");
    assert.deepEqual((await c.apiTokens().toArray({ limit: 10 })).map((x) => x.id), [t.id]);
    await c.revokeApiToken(t.id);
    // Revoking again is harmless (as in the simulator); an unknown key is not found.
    await c.revokeApiToken(t.id);
    assert.equal(typeof (await c.listApiTokens()).items[0].revokedAt, "string");
    await assert.rejects(c.revokeApiToken("tok_missing"), (x) => x.name === "ApiError" && x.code === "NOT_FOUND" && x.operation === "revokeApiToken");
    assert.deepEqual(c.calls.map((x) => x.method).slice(0, 3), ["updatePlatformSettings", "updatePlatformSettings", "getPlatformSettings"]);
    assert.ok(c.requests.every((r) => r.url.startsWith(`${c.baseUrl}/api/v2/`)));
    // With a lookup, the callback's name is resolved as by the client in Node, and a private address refused.
    const lookup = (hostname, options, callback) => setImmediate(() => callback(null, [{ address: "10.0.0.1", family: 4 }]));
    const resolving = new FakeFlexpertoClient({ lookup });
    await assert.rejects(
      resolving.createWebhookSubscription({ topic: "archive.available", url: `https://crm.example/cb/${generateWebhookSecret()}` }),
      (x) => x.code === "SPECIAL_PURPOSE_ADDRESS",
    );
    assert.equal(resolving.requests.length, 0, "nothing sent");
  });
});

describe("startSimulator", () => {
  test("starts the flexperto-sim package's binary on a free port and stops it", async () => {
    const sim = await startSimulator();
    const res = await fetch(`${sim.url}/api/v2/spec`);
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const client = await sim.client();
    const user = await client.createUser({ email: "started@example.invalid" }, { suppressMails: true });
    const page = await client.listUsers({ limit: 1, email: "started@example.invalid" });
    assert.deepEqual([page.items.map((u) => u.id), page.total, page.limit], [[user.id], 1, 1]);
    await sim.stop();
    await assert.rejects(fetch(`${sim.url}/api/v2/spec`));
  });

  test("a missing binary is a clear error", async () => {
    await assert.rejects(startSimulator({ bin: "/nonexistent/flexperto-sim" }), /ENOENT/);
  });
});
