// Type-level test of the package's declarations: compiles only if the types are precise.
// `@ts-expect-error` lines fail the check when the declarations are too loose.
import { ArchiveChecksum, ArchiveInspector, FlexpertoClient, WebhookVerifier, generateWebhookSecret, isDownloadable, isFlexpertoError, isTerminal, linkIsValidAt, validateCallbackUrl } from "flexperto-sdk";
import type { ArchiveEntry, ArchiveError, ArchiveFinding, ArchiveStatus, ChatHistory, ConferenceMetadata, VerifiedStream } from "flexperto-sdk";
import type { CreatedApiToken, EnsuredExpert, FlexpertoError, PlatformSettings, ReservedMeeting, User, UserList, VideoCall } from "flexperto-sdk";
import * as web from "flexperto-sdk/web";
import * as archiveOnly from "flexperto-sdk/archive";

const client = new FlexpertoClient({ tenant: "demo", environment: "test", apiKey: "k" });
const viaUrl = new FlexpertoClient({ baseUrl: "http://127.0.0.1:8080", apiKey: "k", timeoutMs: 5000, routes: { confirmEmail: "/x/{userId}" } });
const webClient: web.FlexpertoClient = new web.FlexpertoClient({ baseUrl: "https://x.example", apiKey: "k" });

// @ts-expect-error environment is required with tenant
new FlexpertoClient({ tenant: "demo", apiKey: "k" });
// @ts-expect-error tenant and baseUrl exclude each other
new FlexpertoClient({ tenant: "demo", environment: "test", baseUrl: "https://x", apiKey: "k" });
// @ts-expect-error unknown operation in routes
new FlexpertoClient({ baseUrl: "https://x", apiKey: "k", routes: { nope: "/x" } });

async function use(): Promise<void> {
  const r: EnsuredExpert = await client.ensureExpert({ email: "a@b.de", firstName: "A", lastName: "B" });
  const id: string = r.accountId;
  const flags: [boolean, boolean] = [r.created, r.confirmed];
  const page: UserList = await viaUrl.listUsers({ role: "expert", limit: 10 });
  const first: User | undefined = page.items[0];
  const email: string | undefined = first?.email;
  await client.listUsers();
  await client.createUser({ email: "a@b.de", locale: "de" }, { suppressMails: false });
  const confirmed: User | null = await client.confirmEmail(id);
  // @ts-expect-error limit is a number
  await client.listUsers({ limit: "1" });
  // @ts-expect-error role is a union
  await client.listUsers({ role: "root" });
  // @ts-expect-error email is required
  await client.ensureExpert({ firstName: "A" });
  const expires: Date | undefined = client.apiKeyExpiresAt;
  const m: ReservedMeeting = await client.reserveMeeting({ moderatorAccountId: id, accessLinkValidUntil: new Date(), participants: [{}] });
  const missing: Array<"moderatorLink" | "participantLinks"> = m.linksMissing;
  const ok: boolean = (m.moderatorLink !== undefined && linkIsValidAt(m.moderatorLink, new Date(), { skewMs: 1000 })) && linkIsValidAt(m.participantLinks[0]);
  await client.reserveMeeting({ moderatorAccountId: id }, { suppressMails: true, linkFields: { moderatorLink: "hostUrl" } });
  // @ts-expect-error linkFields names are strings
  await client.reserveMeeting({ moderatorAccountId: id }, { linkFields: { moderatorLink: 1 } });
  await client.ensureExpert({ email: "a@b.de" }, { confirmExisting: true });
  const call: VideoCall = await client.startVideoCall({ expert: { accountId: id }, customer: { email: "c@d.de" }, validForMinutes: 30 });
  const until: Date | undefined = call.participantLinks[0].validUntil;
  const s: PlatformSettings = await client.updatePlatformSettings({ enableAutomaticRecording: true });
  const t: CreatedApiToken = await client.createApiToken({ name: "crm", expiresAt: new Date() });
  const secret: string = t.token;
  await client.revokeApiToken(t.id);
  // The link window is optional, as in the guide.
  await client.reserveMeeting({ moderatorAccountId: id });
  // @ts-expect-error settings are booleans
  await client.updatePlatformSettings({ enableAutomaticRecording: "yes" });
  // @ts-expect-error the expert is required
  await client.startVideoCall({ customer: {} });
  const ws: string = generateWebhookSecret();
  validateCallbackUrl(`https://crm.example.com/cb/${ws}`, { allowHttpLoopback: false });
  const checked = await validateCallbackUrl(`https://crm.example.com/cb/${ws}`, { resolve: true, lookup: async () => ["8.8.8.8"] });
  const checkedHost: string = checked.host;
  // @ts-expect-error unknown option
  validateCallbackUrl(`https://crm.example.com/cb/${ws}`, { resolv: true });
  const verifier = new WebhookVerifier({ secrets: [ws], allowedIps: ["203.0.113.0/24"], trustedProxies: 1 });
  const ev = verifier.verify({ path: `/cb/${ws}`, remoteAddress: "10.0.0.1", headers: { "content-type": "application/json" }, body: new Uint8Array() });
  const archiveId: string | undefined = ev.archiveId;
  const key: string = ev.dedupeKey;
  const sub = await client.createWebhookSubscription({ topic: "archive.available", url: "https://x" });
  const reports = await client.listWebhookSubscriptionReports(sub.id);
  const code: number | undefined = reports.items[0]?.statusCode;
  // @ts-expect-error secrets are required
  new WebhookVerifier({ allowedIps: [] });
  void [ok, until, s, secret, archiveId, key, code];
  void [flags, email, confirmed, expires, webClient.baseUrl];
  try {
    await client.listUsers();
  } catch (e) {
    if (isFlexpertoError(e)) {
      const err: FlexpertoError = e;
      switch (err.name) {
        case "ApiError": {
          const status: number = err.status;
          void status;
          break;
        }
        case "ConfigError":
        case "ValidationError":
        case "NetworkError":
          void err.code;
          break;
        case "WebhookError":
          void err.path;
      }
    }
  }
}
async function archives(): Promise<void> {
  const sum = new ArchiveChecksum();
  sum.update(new Uint8Array([1, 2, 3]));
  const hex: string = sum.digestHex();
  const n: number = sum.bytesHashed;
  sum.verify(hex);
  // @ts-expect-error chunks are bytes
  sum.update("text");
  async function* chunks(): AsyncGenerator<Uint8Array> { yield new Uint8Array(1); }
  const v: VerifiedStream = await ArchiveChecksum.verifyStream(chunks(), hex, { onProgress: ({ bytes }) => void bytes });
  const fromWeb: VerifiedStream = await web.ArchiveChecksum.verifyStream(new Blob([]).stream(), hex);
  const fromArchiveEntry: VerifiedStream = await archiveOnly.ArchiveChecksum.verifyStream(chunks(), hex);
  const inspected: archiveOnly.ArchiveInspector = await archiveOnly.ArchiveInspector.open(new Blob([]));
  const status: boolean = archiveOnly.isDownloadable("AVAILABLE") && !archiveOnly.isTerminal("PACKING");
  // @ts-expect-error the archive entry has no client
  new archiveOnly.FlexpertoClient({ baseUrl: "https://x", apiKey: "k" });
  // @ts-expect-error unknown option
  await ArchiveChecksum.verifyStream(chunks(), hex, { progress: () => {} });
  const statuses: ArchiveStatus[] = ["AVAILABLE", "EXPIRED", "SOMETHING_NEW"];
  const flags: boolean[] = statuses.map((s) => isDownloadable(s) || isTerminal(s));
  const a: ArchiveInspector = await ArchiveInspector.open("archive.zip");
  const b: web.ArchiveInspector = await web.ArchiveInspector.open(new Blob([]));
  const c = await ArchiveInspector.open({ size: 10, read: async (_o: number, l: number) => new Uint8Array(l) });
  // @ts-expect-error a source is a Blob, a path or a range source
  await ArchiveInspector.open(42);
  const themis: readonly ArchiveEntry[] = a.folders.themis;
  const size: number = themis[0].size;
  const finding: ArchiveFinding | undefined = a.findings[0];
  const m: ConferenceMetadata | undefined = await a.metadata();
  const conferenceId: string | undefined = m?.conferenceId;
  const email: string | null | undefined = m?.participants[0]?.email;
  const chat: ChatHistory | undefined = await b.chat();
  const text: string | undefined = chat?.messages[0]?.text;
  const bytes: Uint8Array = await c.readEntry("themis/metadata.json", { maxBytes: 1024 });
  await a.close();
  try {
    sum.verify("x");
  } catch (e) {
    if (isFlexpertoError(e) && e.name === "ArchiveError") {
      const err: ArchiveError = e;
      const expected: string | undefined = err.expected;
      void expected;
    }
  }
  void [n, v, fromWeb, flags, size, finding, conferenceId, email, text, bytes];
}
void archives;
void use;

// Per-call options (every method's optional last argument) and request hooks.
import type { RequestHookEvent, RequestOptions } from "flexperto-sdk";
async function perCall(): Promise<void> {
  const controller = new AbortController();
  const opts: RequestOptions = { signal: controller.signal, timeoutMs: 5000, headers: { "x-trace-id": "t1" } };
  await client.listUsers({ limit: 1 }, opts);
  await client.listUsers(undefined, { signal: AbortSignal.timeout(100) });
  await client.confirmEmail("usr_1", { timeoutMs: 100 });
  await client.createUser({ email: "a@b.de" }, { suppressMails: false, signal: controller.signal });
  await client.getPlatformSettings({ headers: { "x-a": "b" } });
  await client.listArchives({ limit: 1 }, { timeoutMs: 1 });
  await client.createWebhookSubscription({ topic: "archive.available", url: "https://x" }, { allowHttpLoopback: true, timeoutMs: 10 });
  // @ts-expect-error timeoutMs is a number
  await client.listApiTokens({ timeoutMs: "5" });
  // @ts-expect-error header values are strings
  await client.listApiTokens({ headers: { "x-a": 1 } });
  // @ts-expect-error unknown per-call option
  await client.getArchive("arc_1", { retries: 2 });
  const seen: RequestHookEvent[] = [];
  const hooked = new FlexpertoClient({
    baseUrl: "https://x.example",
    apiKey: "k",
    appInfo: { name: "crm-plugin", version: "1.0.0", url: "https://crm.example" },
    onRequest: (e) => void seen.push(e),
    onResponse: (e) => {
      const op: string = e.operationId;
      const status: number | undefined = e.status;
      const ms: number = e.durationMs;
      const attempt: number = e.attempt;
      const id: string | undefined = e.requestId;
      void [op, status, ms, attempt, id];
    },
    fetch: (request: Request, init) => fetch(request, init),
  });
  const ua: string = hooked.userAgent;
  // @ts-expect-error a hook is a function
  new FlexpertoClient({ baseUrl: "https://x", apiKey: "k", onRequest: "log" });
  // @ts-expect-error appInfo needs a name
  new FlexpertoClient({ baseUrl: "https://x", apiKey: "k", appInfo: { version: "1" } });
  try {
    await hooked.listUsers(undefined, { signal: AbortSignal.abort() });
  } catch (e) {
    if (isFlexpertoError(e) && e.name === "AbortError") {
      const code: "ABORTED" = e.code;
      void code;
    }
  }
  void ua;
}
void perCall;
import type { DriftReport, Finding, SpecError } from "flexperto-sdk";
async function drift(): Promise<void> {
  const report: DriftReport = await client.checkSpec();
  const first: Finding | undefined = report.findings.find((f) => f.kind === "pathMoved");
  // The report's overrides are the client's routes option as they are.
  const fixed = new FlexpertoClient({ baseUrl: "https://x.example", apiKey: "k", routes: report.routes });
  // @ts-expect-error severities are a closed union
  const s: "fatal" = report.findings[0].severity;
  try {
    await fixed.checkSpec();
  } catch (e) {
    if (isFlexpertoError(e) && e.name === "SpecError") {
      const err: SpecError = e;
      const where: string = err.pointer;
      void where;
    }
  }
  void [first, s];
}
void drift;
// The claim worker (issue 11): its options, results and ledger rows are typed.
import { ArchiveClaimer, FileArchiveSink, MemoryLedger, PostgresLedger, PostgresSeenStore, SqliteLedger, claimStep } from "flexperto-sdk";
import type { ClaimResult, ClaimStep, LedgerRow, SweepCounts } from "flexperto-sdk";
async function claims(): Promise<void> {
  const ledger = new MemoryLedger();
  const claimer = new ArchiveClaimer({ client, sink: new FileArchiveSink({ dir: "/tmp/x" }), ledger, concurrency: 2, onProgress: (p) => void p.counts.stored });
  const r: ClaimResult = await claimer.claim("arc_1");
  const c: SweepCounts = await claimer.sweep();
  const row: LedgerRow | null = await ledger.get("arc_1");
  const state: "seen" | "downloading" | "verified" | "stored" | "abandoned" | "failed" | "quarantined" | undefined = row?.state;
  const step: ClaimStep = claimStep({ status: { state: "seen" }, event: { record: { status: "AVAILABLE" } }, nowMs: 1 });
  // @ts-expect-error an unknown event
  claimStep({ status: { state: "seen" }, event: { nope: {} }, nowMs: 1 });
  // @ts-expect-error the event's name is its key, not a `type` field
  claimStep({ status: { state: "seen" }, event: { type: "record", status: "AVAILABLE" }, nowMs: 1 });
  // @ts-expect-error a sink needs open()
  new ArchiveClaimer({ client, sink: {}, ledger });
  new SqliteLedger({ path: "/tmp/x.db" });
  new PostgresLedger({ connectionString: "postgres://x" });
  new PostgresSeenStore({ connectionString: "postgres://x" });
  void [r, c, state, step];
}
void claims;
