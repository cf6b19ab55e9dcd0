// Type-level tests of issue 13 items 4-8: topic narrowing of webhook events, the Fetch handler,
// the list iterators, and flexperto-sdk/testing. `@ts-expect-error` lines fail the check when a
// declaration is too loose.
import { FlexpertoClient, WebhookVerifier, createWebRequestHandler, createWebhookHandler, isTopic } from "flexperto-sdk";
import type { ArchiveAvailableEvent, PageIterator, User, WebhookEvent, WebRequestHandler } from "flexperto-sdk";
import * as web from "flexperto-sdk/web";
import { FakeFlexpertoClient, archiveNotification, archiveRecord, deliver, startSimulator } from "flexperto-sdk/testing";

const verifier = new WebhookVerifier({ secrets: ["x".repeat(32)] });

// Each topic's handler gets its topic's type: archive fields are strings, not optional.
createWebhookHandler({
  verifier,
  on: {
    "archive.available": (e) => {
      const id: string = e.archiveId;
      const conf: string = e.conferenceId;
      const topic: "archive.available" = e.topic;
      void [id, conf, topic];
    },
  },
  onAny: (e) => {
    // The union narrows through isTopic, and the other topics are what is left.
    if (isTopic(e, "archive.available")) {
      const narrowed: ArchiveAvailableEvent = e;
      const id: string = e.archiveId;
      void [narrowed, id];
    }
    // @ts-expect-error without narrowing, archiveId may be absent
    const maybe: string = e.archiveId;
    if (e.topic !== "archive.available") {
      // @ts-expect-error another topic's event is not an archive event
      const archive: ArchiveAvailableEvent = e;
      void archive;
    }
    void maybe;
  },
});

createWebhookHandler({
  verifier,
  on: {
    // @ts-expect-error archiveId is a string
    "archive.available": (e) => void (e.archiveId satisfies number),
  },
});

// @ts-expect-error topics without a type go to onAny, not on
createWebhookHandler({ verifier, on: { "meeting.ended": () => {} } });

function anyEvent(e: WebhookEvent): string | undefined {
  if (isTopic(e, "archive.available")) return e.archiveId.toUpperCase();
  // @ts-expect-error isTopic takes known topics only
  isTopic(e, "meeting.ended");
  return e.archiveId;
}
void anyEvent;

// The Fetch handler: (Request, ...context) => Promise<Response>, in both builds.
const h: WebRequestHandler = createWebRequestHandler({
  verifier,
  on: { "archive.available": async (e) => void e.sha256CheckSum },
  remoteAddress: (req) => req.headers.get("x-real-ip") ?? undefined,
});
const routeHandler: (request: Request) => Promise<Response> = h;
const fromWeb: (request: Request, ctx: { waitUntil(p: Promise<unknown>): void }) => Promise<Response> = web.createWebRequestHandler({
  verifier: new web.WebhookVerifier({ secrets: ["x".repeat(32)] }),
  onAny: (e) => void e.topic,
});
void [routeHandler, fromWeb, h.pending];
// @ts-expect-error a Node request is not a Request
void h({ method: "POST", url: "/x" } as import("node:http").IncomingMessage);

// Iterators over every list, with a capped toArray.
async function lists(client: FlexpertoClient): Promise<void> {
  const users: PageIterator<User> = client.users({ role: "expert", pageSize: 50 });
  for await (const u of users) void u.email;
  const some: User[] = await client.users().toArray({ limit: 10 });
  const tokens = await client.apiTokens().toArray({ limit: 10 });
  const subs = await client.webhookSubscriptions().toArray({ limit: 10 });
  const records = await client.archives({ status: "AVAILABLE" }).toArray({ limit: 10 });
  void [some, tokens[0]?.id, subs[0]?.url, records[0]?.subject.conference_id];
  // @ts-expect-error toArray needs a limit
  await client.users().toArray({});
  // @ts-expect-error role is a union
  client.users({ role: "root" });
}
void lists;

// flexperto-sdk/testing
async function testing(): Promise<void> {
  const fake = new FakeFlexpertoClient();
  const asClient: Pick<FlexpertoClient, "ensureExpert" | "startVideoCall" | "users" | "listArchives" | "downloadArchive"> = fake;
  const r = fake.addArchive(archiveRecord("FAILED"));
  const n = archiveNotification({ archiveId: r.id });
  const result = await deliver(n, h, { url: "https://crm.example/cb/x", duplicates: 1 });
  const ok: boolean = result.delivered && result.attempts.every((a) => a.attempt >= 1);
  // @ts-expect-error not a status
  archiveRecord("DONE");
  await using sim = await startSimulator({ args: ["--allow-http-loopback"] });
  const client: FlexpertoClient = await sim.client();
  void [asClient, ok, client, fake.calls.length];
}
void testing;
