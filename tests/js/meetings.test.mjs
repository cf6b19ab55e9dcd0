// Video calls, platform settings and API-key management, through the built package against the
// simulator (issue: the guide's "Starting a Video-Call", "Recording conferences",
// "Administrative Authentication").
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { FlexpertoClient, isFlexpertoError, linkIsValidAt } from "flexperto-sdk";
import { startSim } from "../../www/sim.mjs";

const HOUR = 3_600_000;

async function rejectsWith(promise, name, code) {
  try {
    await promise;
  } catch (e) {
    assert.ok(isFlexpertoError(e), `not an SDK error: ${e}`);
    assert.equal(`${e.name} ${e.code}`, `${name} ${code}`, e.message);
    return e;
  }
  assert.fail(`expected ${name} ${code}`);
}

/** A fresh simulator per suite: some tests move its clock. */
function withSim() {
  const ctx = {};
  before(async () => {
    ctx.sim = await startSim();
    ctx.key = await ctx.sim.apiKey("admin");
    ctx.client = new FlexpertoClient({ baseUrl: ctx.sim.url, apiKey: ctx.key });
  });
  after(() => ctx.sim?.stop());
  return ctx;
}

describe("join links honour their window and authenticate one participant", () => {
  const ctx = withSim();

  test("before notBefore 410, inside 200, after validUntil 410, tampered 403", async () => {
    const { accountId } = await ctx.client.ensureExpert({ email: "mod@example.invalid", firstName: "Mo", lastName: "Derator" });
    const now = Date.now();
    const m = await ctx.client.reserveMeeting({
      moderatorAccountId: accountId,
      participants: [{ email: "kim.berger@example.invalid", firstName: "Kim", lastName: "Berger" }, {}],
      accessLinkNotBefore: new Date(now + HOUR),
      accessLinkValidUntil: new Date(now + 2 * HOUR),
      subject: "Beratung",
    });
    assert.equal(typeof m.meetingId, "string");
    assert.equal(m.participantLinks.length, 2);
    assert.equal(m.participantLinks[0].participant.email, "kim.berger@example.invalid");
    assert.equal(m.record.subject, "Beratung");
    assert.ok(m.moderatorLink.notBefore instanceof Date);
    assert.equal(Math.abs(m.moderatorLink.notBefore.getTime() - (now + HOUR)) < 1000, true);
    const links = [m.moderatorLink, ...m.participantLinks];
    assert.equal(new Set(links.map((l) => l.url)).size, 3, "every link is its own");

    const status = async (url) => (await fetch(url)).status;
    for (const l of links) assert.equal(await status(l.url), 410, "before notBefore");
    assert.equal(linkIsValidAt(m.moderatorLink, now), false);

    await ctx.sim.advanceClock(3600 + 5);
    for (const l of links) assert.equal(await status(l.url), 200, "inside the window");
    assert.equal(linkIsValidAt(m.moderatorLink, now + HOUR + 5000), true);
    assert.equal(linkIsValidAt(m.moderatorLink, now + HOUR + 5000, { skewMs: 60_000 }), false, "skew makes it conservative");

    const url = new URL(m.participantLinks[0].url);
    const token = url.pathname.split("/").pop();
    const flip = (s, i) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    for (const i of [2, token.indexOf(".") + 3, token.length - 2]) {
      url.pathname = `/join/${flip(token, i)}`;
      assert.equal(await status(url.href), 403, `tampered at ${i}`);
    }
    assert.equal(await status(`${ctx.sim.url}/join/garbage`), 403);

    await ctx.sim.advanceClock(3600);
    for (const l of links) assert.equal(await status(l.url), 410, "after validUntil");
    assert.equal(linkIsValidAt(m.moderatorLink, now + 2 * HOUR), false);
  });
});

describe("reserveMeeting and startVideoCall", () => {
  const ctx = withSim();

  test("startVideoCall provisions the expert and reserves in one call", async () => {
    const call = await ctx.client.startVideoCall({
      expert: { email: "erika@example.invalid", firstName: "Erika", lastName: "Muster" },
      customer: { email: "luca.rossi@example.invalid", firstName: "Luca", lastName: "Rossi" },
      validForMinutes: 30,
    });
    assert.equal(call.provisioned.created, true);
    assert.equal(call.expertAccountId, call.provisioned.accountId);
    assert.equal(call.participantLinks.length, 1);
    const span = call.moderatorLink.validUntil - call.moderatorLink.notBefore;
    assert.ok(Math.abs(span - 31 * 60_000) < 2000, `window ${span} ms: 30 minutes from now, valid from a minute before`);
    assert.equal(linkIsValidAt(call.moderatorLink), true);
    assert.equal((await fetch(call.moderatorLink.url)).status, 200);
    const again = await ctx.client.startVideoCall({ expert: { accountId: call.expertAccountId } });
    assert.equal(again.provisioned, undefined);
    assert.notEqual(again.meetingId, call.meetingId);
    assert.equal(again.participantLinks.length, 1, "participants default to [{}]");
  });

  test("bad reservations are refused before any request", async () => {
    const before = (await ctx.sim.requests()).length;
    const now = Date.now();
    const base = { moderatorAccountId: "usr_x", accessLinkValidUntil: new Date(now + HOUR) };
    await rejectsWith(ctx.client.reserveMeeting({ ...base, accessLinkNotBefore: new Date(now + 2 * HOUR) }), "ValidationError", "INVALID_ARGUMENT");
    await rejectsWith(ctx.client.reserveMeeting({ ...base, accessLinkValidUntil: new Date(now - 1000), accessLinkNotBefore: new Date(now - HOUR) }), "ValidationError", "INVALID_ARGUMENT");
    const e = await rejectsWith(ctx.client.reserveMeeting({ ...base, participants: [{ email: "nope" }] }), "ValidationError", "INVALID_EMAIL");
    assert.equal(e.field, "participants[0].email");
    await rejectsWith(ctx.client.reserveMeeting({ ...base, accessLinkValidUntil: "tomorrow" }), "ValidationError", "INVALID_ARGUMENT");
    await rejectsWith(ctx.client.startVideoCall({ expert: { accountId: ".." } }), "ValidationError", "INVALID_ID");
    await rejectsWith(ctx.client.startVideoCall({ expert: { accountId: "a" }, validForMinutes: 0 }), "ValidationError", "INVALID_ARGUMENT");
    await rejectsWith(ctx.client.startVideoCall({}), "ValidationError", "INVALID_ARGUMENT");
    assert.equal((await ctx.sim.requests()).length, before);
    assert.throws(() => linkIsValidAt("x"), (err) => err.code === "INVALID_ARGUMENT");
    assert.throws(() => linkIsValidAt({ url: "x", validUntil: "soon" }), (err) => err.code === "INVALID_ARGUMENT");
    // A bound neither the request nor the reply gave is the platform's, unknown here: not checked.
    assert.equal(linkIsValidAt({ url: "x" }), true);
  });

  test("an unknown moderator is the API's typed 422", async () => {
    const e = await rejectsWith(
      ctx.client.reserveMeeting({ moderatorAccountId: "usr_unknown", accessLinkValidUntil: new Date(Date.now() + HOUR) }),
      "ApiError",
      "UNPROCESSABLE",
    );
    assert.equal(e.status, 422);
  });
});

describe("platform settings", () => {
  const ctx = withSim();

  test("both recording modes: a typed error from the SDK, 422 from the simulator", async () => {
    const s0 = await ctx.client.getPlatformSettings();
    assert.equal(s0.enableAutomaticRecording, false);
    await rejectsWith(
      ctx.client.updatePlatformSettings({ enableAutomaticRecording: true, enableRecordingVerbalConsent: true }),
      "ValidationError",
      "RECORDING_MODES_EXCLUSIVE",
    );
    const s1 = await ctx.client.updatePlatformSettings({ enableRecordingVerbalConsent: true, enableAutomaticArchivingOfConferences: true });
    assert.equal(s1.enableRecordingVerbalConsent, true);
    const patches = async () => (await ctx.sim.requests()).filter((r) => r.method === "PATCH").length;
    const n = await patches();
    // Turning the other mode on without turning this one off: the SDK reads the settings first.
    await rejectsWith(ctx.client.updatePlatformSettings({ enableAutomaticRecording: true }), "ValidationError", "RECORDING_MODES_EXCLUSIVE");
    assert.equal(await patches(), n, "nothing was sent");
    // The raw request, bypassing the SDK's check, is refused by the platform.
    const raw = await fetch(`${ctx.sim.url}/api/v2/platform/settings`, {
      method: "PATCH",
      headers: { "api-key": ctx.key, "content-type": "application/json" },
      body: JSON.stringify({ enableAutomaticRecording: true }),
    });
    assert.equal(raw.status, 422);
    assert.equal((await raw.json()).code, "RECORDING_MODES_EXCLUSIVE");
    const s2 = await ctx.client.updatePlatformSettings({ enableAutomaticRecording: true, enableRecordingVerbalConsent: false });
    assert.deepEqual([s2.enableAutomaticRecording, s2.enableRecordingVerbalConsent, s2.enableAutomaticArchivingOfConferences], [true, false, true]);
    await rejectsWith(ctx.client.updatePlatformSettings({ enableAutomaticRecording: "yes" }), "ValidationError", "INVALID_ARGUMENT");
    await rejectsWith(ctx.client.updatePlatformSettings({}), "ValidationError", "INVALID_ARGUMENT");
  });
});

describe("API-key management", () => {
  const ctx = withSim();

  test("create returns the secret once; list never; a revoked key is a typed 401 on its next call", async () => {
    const created = await ctx.client.createApiToken({ name: "crm-integration" });
    assert.match(created.token, /^eyJ/);
    const days = (Date.parse(created.expiresAt) - Date.now()) / 86_400_000;
    assert.ok(days > 729 && days <= 731, `valid 2 years (${days.toFixed(1)} days)`);
    const list = await ctx.client.listApiTokens();
    assert.ok(list.items.some((t) => t.id === created.id));
    assert.ok(!JSON.stringify(list).includes(created.token));
    assert.ok(list.items.every((t) => !("token" in t)));

    const other = new FlexpertoClient({ baseUrl: ctx.sim.url, apiKey: created.token });
    await other.listUsers({ limit: 1 });
    await ctx.client.revokeApiToken(created.id);
    const e = await rejectsWith(other.listUsers({ limit: 1 }), "ApiError", "UNAUTHORIZED");
    assert.equal(e.status, 401);
    assert.ok(!e.message.includes(created.token));
    const revoked = (await ctx.client.listApiTokens()).items.find((t) => t.id === created.id);
    assert.ok(revoked.revokedAt);

    await rejectsWith(ctx.client.createApiToken({ name: "too-long", expiresAt: new Date(Date.now() + 3 * 365 * 86_400_000) }), "ValidationError", "INVALID_ARGUMENT");
    await rejectsWith(ctx.client.createApiToken({ name: "" }), "ValidationError", "INVALID_ARGUMENT");
    await rejectsWith(ctx.client.revokeApiToken("key_unknown"), "ApiError", "NOT_FOUND");
    const raw = await fetch(`${ctx.sim.url}/api/v2/auth/tokens`, {
      method: "POST",
      headers: { "api-key": ctx.key, "content-type": "application/json" },
      body: JSON.stringify({ name: "x", expiresAt: new Date(Date.now() + 3 * 365 * 86_400_000).toISOString() }),
    });
    assert.equal(raw.status, 422, "the simulator enforces the 2-year validity");
  });
});
