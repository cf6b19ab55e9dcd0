// Fidelity to the real API (issue 12, items 2 and 3), through the installed package against the
// simulator: meeting replies with other link field names, the optional link window, supressMails
// on every call that can mail, ensureExpert stopping once the expert is found, the webhook
// archive topic as an option and other topics as generic events.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { FlexpertoClient, WebhookVerifier, createWebhookHandler, generateWebhookSecret } from "flexperto-sdk";
import { startSim } from "../../www/sim.mjs";

const MEETINGS = "/api/v2/communication/meetings/meetings";

function withSim(args = []) {
  const ctx = {};
  before(async () => {
    ctx.sim = await startSim({ args });
    ctx.client = new FlexpertoClient({ baseUrl: ctx.sim.url, apiKey: await ctx.sim.apiKey("admin") });
  });
  after(() => ctx.sim?.stop());
  return ctx;
}

const posts = async (sim, path) =>
  (await sim.requests()).filter((r) => r.method === "POST" && r.path === path).map((r) => [r.status, r.query ?? null]);

describe("a meeting reply with link fields the SDK cannot guess", () => {
  const ctx = withSim(["--meeting-link-fields", "hostEntry,guests,door"]);

  test("reserveMeeting resolves with the meeting id and the record, links marked missing; linkFields finds them", async () => {
    const { accountId } = await ctx.client.ensureExpert({ email: "odd@example.invalid" });
    const m = await ctx.client.reserveMeeting({ moderatorAccountId: accountId, participants: [{ firstName: "Kim" }] });
    assert.match(m.meetingId, /^mtg_/);
    assert.equal(m.moderatorLink, undefined);
    assert.deepEqual(m.participantLinks, []);
    assert.deepEqual(m.linksMissing, ["moderatorLink", "participantLinks"]);
    assert.equal(m.record.id, m.meetingId);
    assert.equal(typeof m.record.hostEntry, "string");
    // No window asked for: the reply's (the simulator's default of 24 hours).
    assert.equal(m.accessLinkValidUntil - m.accessLinkNotBefore, 24 * 3600 * 1000);

    const found = await ctx.client.reserveMeeting(
      { moderatorAccountId: accountId, participants: [{ firstName: "Kim" }] },
      { linkFields: { moderatorLink: "hostEntry", participantLinks: "guests", participantLink: "door" } },
    );
    assert.deepEqual(found.linksMissing, []);
    assert.equal((await fetch(found.moderatorLink.url)).status, 200);
    assert.equal(found.participantLinks[0].participant.firstName, "Kim");
    assert.deepEqual(await posts(ctx.sim, MEETINGS), [[201, null], [201, null]], "one POST per reservation");

    await assert.rejects(
      ctx.client.reserveMeeting({ moderatorAccountId: accountId }, { linkFields: { moderatorLink: 5 } }),
      (e) => e.code === "INVALID_ARGUMENT",
    );
  });
});

describe("a meeting reply in camelCase", () => {
  const ctx = withSim(["--meeting-link-fields", "moderatorLink,participantLinks,joinLink"]);

  test("the links are found under the spellings the SDK knows", async () => {
    const { accountId } = await ctx.client.ensureExpert({ email: "camel@example.invalid" });
    const m = await ctx.client.reserveMeeting({ moderatorAccountId: accountId, participants: [{}] });
    assert.deepEqual(m.linksMissing, []);
    assert.equal((await fetch(m.participantLinks[0].url)).status, 200);
  });
});

describe("the guide's rules", () => {
  const ctx = withSim();

  test("supressMails goes with confirmEmail and reserveMeeting as given, never when not given", async () => {
    const user = await ctx.client.createUser({ email: "mails@example.invalid" });
    await ctx.client.confirmEmail(user.id, { suppressMails: true });
    await ctx.client.confirmEmail(user.id);
    assert.deepEqual(await posts(ctx.sim, `/api/v2/users/users/${user.id}/confirm-email`), [
      [200, "supressMails=true"],
      [200, null],
    ]);
    await ctx.client.reserveMeeting({ moderatorAccountId: user.id }, { suppressMails: false });
    assert.deepEqual(await posts(ctx.sim, MEETINGS), [[201, "supressMails=false"]]);
  });

  test("ensureExpert stops once the expert is found; confirmExisting confirms a found account", async () => {
    const user = await ctx.client.createUser({ email: "found@example.invalid" });
    assert.equal(user.emailConfirmed, false);
    const confirmPath = `/api/v2/users/users/${user.id}/confirm-email`;
    const found = await ctx.client.ensureExpert({ email: "found@example.invalid" });
    assert.deepEqual(found, { accountId: user.id, created: false, confirmed: false });
    assert.deepEqual(await posts(ctx.sim, confirmPath), []);
    const asked = await ctx.client.ensureExpert({ email: "found@example.invalid" }, { confirmExisting: true });
    assert.equal(asked.confirmed, true);
    assert.equal((await posts(ctx.sim, confirmPath)).length, 1);
  });
});

describe("the webhook archive topic is an option; other topics are generic events", () => {
  const secret = generateWebhookSecret();
  const delivery = (body) => ({
    path: `/cb/${secret}`,
    remoteAddress: "203.0.113.5",
    headers: { "content-type": "application/json" },
    body: new TextEncoder().encode(JSON.stringify(body)),
  });
  const archive = (topic) => ({ id: "n1", topic, data: { archive_id: "a1", archive_subject: { conference_id: "c1" } } });

  test("verifier and handler", () => {
    const tenant = new WebhookVerifier({ secrets: [secret], archiveTopic: "ArchiveAvailable" });
    assert.equal(tenant.archiveTopic, "ArchiveAvailable");
    const e = tenant.verify(delivery(archive("ArchiveAvailable")));
    assert.deepEqual([e.topic, e.archiveId, e.conferenceId, e.dedupeKey], ["ArchiveAvailable", "a1", "c1", "ArchiveAvailable:a1"]);

    const plain = new WebhookVerifier({ secrets: [secret] });
    assert.equal(plain.archiveTopic, "archive.available");
    const generic = plain.verify(delivery(archive("ArchiveAvailable")));
    assert.equal(generic.archiveId, undefined);
    assert.equal(generic.payload.data.archive_id, "a1");
    const other = plain.verify(delivery({ id: 7, topic: "conference.ended", data: [1, 2] }));
    assert.deepEqual([other.topic, other.dedupeKey, other.payload.data], ["conference.ended", "conference.ended:7", [1, 2]]);

    assert.throws(() => new WebhookVerifier({ secrets: [secret], archiveTopic: "" }), (err) => err.code === "INVALID_CONFIG");
    const onEvent = () => {};
    assert.equal(typeof createWebhookHandler({ verifier: tenant, onEvent, archiveTopic: "ArchiveAvailable" }), "function");
    assert.throws(() => createWebhookHandler({ verifier: plain, onEvent, archiveTopic: "ArchiveAvailable" }), (e) => e.name === "ValidationError" && e.code === "INVALID_ARGUMENT" && e.field === "options.archiveTopic" && /differs from the verifier's/.test(e.message));
  });
});

describe("an abandonArchive route override with {archiveId} (the older path)", () => {
  const ctx = withSim();

  test("the client sends the archive id where the route names it", async () => {
    const older = "/api/v2/communication/archives/archives/{archiveId}/abandon";
    const client = new FlexpertoClient({ baseUrl: ctx.sim.url, apiKey: await ctx.sim.apiKey("admin"), routes: { abandonArchive: older } });
    const { conferenceId, archiveId } = await ctx.sim.endConference({ sizeBytes: 20_000 });
    // Only the conference id: the route needs the archive id, refused before any request.
    await assert.rejects(client.abandonArchive(conferenceId), (e) => e.code === "INVALID_ARGUMENT" && e.field === "archiveId");
    // The record (or both ids): the archive id goes into the path. This simulator serves the
    // default path only, so the older one answers 404; what matters is the path it was sent to.
    await assert.rejects(client.abandonArchive({ conferenceId, archiveId }), (e) => e.code === "NOT_FOUND");
    const sent = (await ctx.sim.requests()).filter((r) => r.method === "POST" && r.path.endsWith("/abandon")).map((r) => r.path);
    assert.deepEqual(sent, [`/api/v2/communication/archives/archives/${archiveId}/abandon`]);
  });
});
