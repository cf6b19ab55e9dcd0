// node --test of the `flexperto` command of the INSTALLED package (its package.json "bin"),
// against real simulators: one as the contract says, one started with --spec-variant.
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";

import * as sdk from "flexperto-sdk";
import { SIM_BIN, startSim } from "../../www/sim.mjs";
import { simArchive } from "./archive-sim.mjs";

const require = createRequire(import.meta.url);
const pkgJson = require.resolve("flexperto-sdk/package.json");
const BIN = join(dirname(pkgJson), JSON.parse(readFileSync(pkgJson, "utf8")).bin.flexperto);
const VARIANT_PATH = "/api/v2/communication/notificationssubscriptions/notificationssubscriptions/webhook";
const HOOK = "https://crm.example.com/hooks/{secret}";

let sim;
let variant;
let key;
let variantKey;
let tmp;

before(async () => {
  [sim, variant] = await Promise.all([startSim(), startSim({ args: ["--spec-variant"] })]);
  [key, variantKey] = await Promise.all([sim.apiKey("admin"), variant.apiKey("admin")]);
  tmp = mkdtempSync(join(tmpdir(), "flexperto-cli-"));
});
after(async () => {
  await Promise.all([sim?.stop(), variant?.stop()]);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The environment of a run: none of the caller's FLEXPERTO_* variables, then `extra`. */
function envWith(extra) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FLEXPERTO_")));
  return { ...env, ...extra };
}

/** Runs `flexperto args` with the simulator's URL and key in the environment (unless `env` says). */
function run(args, { target = sim, apiKey = target === variant ? variantKey : key, env } = {}) {
  const e = env ?? envWith({ FLEXPERTO_BASE_URL: target.url, FLEXPERTO_API_KEY: apiKey });
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: e, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** Asserts a failed run: `code`, nothing on stdout, and one stderr line naming `errorCode`. */
function assertFails(r, code, errorCode) {
  assert.equal(r.code, code, `exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], new RegExp(`^flexperto: \\w+ ${errorCode}\\b`), r.stderr);
  assert.equal(r.stdout, "");
}

/** The rows of a table printed by the command: header words, then cells split on 2+ spaces. */
function rows(text) {
  const lines = text.trimEnd().split("\n");
  return lines.map((l) => l.split(/ {2,}/));
}

describe("arguments and configuration", () => {
  test("--help prints the usage; no arguments is bad input", async () => {
    const help = await run(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^usage: flexperto/);
    for (const c of ["check-spec", "experts ensure", "meetings start", "archives claim", "webhooks rotate", "sim"]) {
      assert.ok(help.stdout.includes(c), c);
    }
    assert.equal((await run([])).code, 2);
  });

  test("the API key is never taken from a flag, and is not echoed", async () => {
    for (const args of [["--api-key", "sekret.sekret.sekret", "webhooks", "list"], ["webhooks", "list", "--api-key=sekret.sekret.sekret"]]) {
      const r = await run(args);
      assertFails(r, 2, "BAD_INPUT");
      assert.match(r.stderr, /FLEXPERTO_API_KEY/);
      assert.ok(!r.stderr.includes("sekret"));
    }
    const none = await run(["webhooks", "list"], { env: envWith({ FLEXPERTO_BASE_URL: sim.url }) });
    assertFails(none, 2, "BAD_INPUT");
  });

  test("the key from a file; the target from flags over the environment; bad targets are ConfigErrors", async () => {
    const keyFile = join(tmp, "key");
    writeFileSync(keyFile, `${key}\n`);
    const fromFile = await run(["webhooks", "list", "--api-key-file", keyFile, "--base-url", sim.url], {
      env: envWith({ FLEXPERTO_TENANT: "evil.com/x", FLEXPERTO_ENVIRONMENT: "test" }),
    });
    assert.equal(fromFile.code, 0, fromFile.stderr);
    const badTenant = await run(["webhooks", "list"], {
      env: envWith({ FLEXPERTO_TENANT: "evil.com/x", FLEXPERTO_ENVIRONMENT: "test", FLEXPERTO_API_KEY: key }),
    });
    assertFails(badTenant, 2, "INVALID_TENANT");
    assert.match(badTenant.stderr, /^flexperto: ConfigError INVALID_TENANT/);
    const badRoute = await run(["webhooks", "list", "--route", "listSubscriptions=no-slash"]);
    assertFails(badRoute, 2, "INVALID_ROUTE");
    assertFails(await run(["webhooks", "list", "--route", "nonsense"]), 2, "BAD_INPUT");
  });

  test("unknown commands and options are bad input", async () => {
    assertFails(await run(["frobnicate"]), 2, "BAD_INPUT");
    assertFails(await run(["webhooks", "frobnicate"]), 2, "BAD_INPUT");
    assertFails(await run(["webhooks", "list", "--frob"]), 2, "BAD_INPUT");
    assertFails(await run(["experts", "ensure"]), 2, "BAD_INPUT");
  });

  test("--json errors are one JSON line on stderr", async () => {
    const r = await run(["webhooks", "delete", "sub_does_not_exist", "--json"]);
    assert.equal(r.code, 1);
    const err = JSON.parse(r.stderr);
    assert.deepEqual(Object.keys(err.error).sort(), ["code", "message", "name", "status"]);
    assert.equal(err.error.name, "ApiError");
    assert.equal(err.error.status, 404);
  });
});

describe("check-spec", () => {
  test("no drift against the contract the simulator serves", async () => {
    const r = await run(["check-spec"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /operations compared, 0 findings/);
    const j = await run(["check-spec", "--json"]);
    const report = JSON.parse(j.stdout);
    assert.equal(report.breaking, false);
    assert.deepEqual(report.findings, []);
    assert.deepEqual(report.routes, {});
  });

  test("--spec-variant: reports the moved webhook path and the override; with it, webhooks create works", async () => {
    const r = await run(["check-spec"], { target: variant });
    assert.equal(r.code, 3, r.stderr);
    const table = rows(r.stdout.split("\n\n")[0]).slice(1);
    assert.deepEqual(table[0].slice(0, 6), ["SEVERITY", "KIND", "METHOD", "PATH", "OPERATION", "DETAIL"]);
    const moved = table.find((row) => row[1] === "pathMoved");
    assert.ok(moved, r.stdout);
    assert.deepEqual(moved.slice(0, 5), [
      "breaking",
      "pathMoved",
      "POST",
      "/api/v2/communication/subscriptions/subscriptions/webhook",
      "createWebhookSubscription",
    ]);
    const flag = `--route createWebhookSubscription=${VARIANT_PATH}`;
    assert.ok(r.stdout.includes(flag), r.stdout);

    const j = JSON.parse((await run(["check-spec", "--json"], { target: variant })).stdout);
    assert.equal(j.breaking, true);
    assert.deepEqual(j.routes, { createWebhookSubscription: VARIANT_PATH });
    const f = j.findings.find((x) => x.kind === "pathMoved");
    assert.equal(f.tenantPath, VARIANT_PATH);
    assert.deepEqual(f.routeOverride, { operation: "createWebhookSubscription", path: VARIANT_PATH });
    assert.deepEqual(f.sdkMethods, ["createWebhookSubscription"]);

    const without = await run(["webhooks", "create", "--topic", "archive.available", "--url", HOOK, "--no-resolve"], { target: variant });
    // The contract's path is gone (it now falls on the subscription route, which has no POST).
    assertFails(without, 1, "(?:NOT_FOUND|HTTP_ERROR)");
    assert.match(without.stderr, /^flexperto: ApiError \w+ \(HTTP 40[45]\).*flexperto check-spec says where/);
    const withIt = await run(["webhooks", "create", "--topic", "archive.available", "--url", HOOK, "--no-resolve", ...flag.split(" "), "--json"], { target: variant });
    assert.equal(withIt.code, 0, withIt.stderr);
    const created = JSON.parse(withIt.stdout);
    assert.ok(created.id);
    assert.equal(created.url, HOOK.replace("{secret}", created.secret));
    const followed = await run(["check-spec", ...flag.split(" ")], { target: variant });
    assert.equal(followed.code, 0, followed.stdout);
    assert.match(followed.stdout, /info +pathMoved .*already points there/);
    assert.ok(!followed.stdout.includes("route overrides that fix"), followed.stdout);
    const requests = await variant.requests();
    assert.ok(requests.some((q) => q.method === "POST" && q.path === VARIANT_PATH && q.status === 201), JSON.stringify(requests.slice(-3)));
  });

  test("client.checkSpec() in the library: a plain-object report whose routes fix the client", async () => {
    const report = await new sdk.FlexpertoClient({ baseUrl: variant.url, apiKey: variantKey }).checkSpec();
    assert.equal(Object.getPrototypeOf(report.routes), Object.prototype);
    assert.deepEqual(report.findings.map((f) => [f.kind, f.severity, f.operation]), [["pathMoved", "breaking", "createWebhookSubscription"]]);
    const fixed = new sdk.FlexpertoClient({ baseUrl: variant.url, apiKey: variantKey, routes: report.routes });
    // crm.example.com resolves nowhere here: the DNS step is skipped, the URL rules still apply.
    const sub = await fixed.createWebhookSubscription({ topic: "archive.available", url: `https://crm.example.com/hooks/${sdk.generateWebhookSecret()}` }, { resolve: false });
    assert.ok(sub.id);
    const notASpec = new sdk.FlexpertoClient({ baseUrl: sim.url, apiKey: key, routes: { getSpec: "/api/v2/communication/subscriptions/subscriptions" } });
    await assert.rejects(notASpec.checkSpec(), (e) => {
      assert.ok(sdk.isFlexpertoError(e) && e instanceof Error);
      assert.deepEqual([e.name, e.code, e.document, e.pointer], ["SpecError", "INVALID_SPEC", "tenant", "/swagger"]);
      return true;
    });
  });

  test("a tenant document that is not OpenAPI 2.0 is a SpecError", async () => {
    const r = await run(["check-spec", "--route", "getSpec=/api/v2/communication/subscriptions/subscriptions"]);
    assertFails(r, 1, "INVALID_SPEC");
    assert.match(r.stderr, /^flexperto: SpecError INVALID_SPEC: tenant spec is not a valid OpenAPI 2.0 document/);
  });
});

describe("experts and meetings", () => {
  test("experts ensure: a table, then JSON; bad e-mail is bad input", async () => {
    const email = `cli.${process.pid}@example.invalid`;
    const first = await run(["experts", "ensure", "--email", email, "--first-name", "Max", "--last-name", "Mustermann"]);
    assert.equal(first.code, 0, first.stderr);
    const lines = Object.fromEntries(rows(first.stdout));
    assert.equal(lines.created, "true");
    assert.ok(lines.accountId);
    const again = JSON.parse((await run(["experts", "ensure", "--email", email, "--json"])).stdout);
    assert.equal(again.accountId, lines.accountId);
    assert.equal(again.created, false);
    assertFails(await run(["experts", "ensure", "--email", "not-an-email"]), 2, "INVALID_EMAIL");
  });

  test("meetings start: meeting id and links", async () => {
    const email = `cli.meet.${process.pid}@example.invalid`;
    const r = await run(["meetings", "start", "--expert-email", email, "--customer-email", "kim@example.invalid", "--minutes", "30"]);
    assert.equal(r.code, 0, r.stderr);
    const [head, links] = r.stdout.split("\n\n");
    const f = Object.fromEntries(rows(head));
    assert.ok(f.meetingId && f.moderatorLink.startsWith("http"), r.stdout);
    const t = rows(links);
    assert.deepEqual(t[0], ["PARTICIPANT", "VALID FROM", "VALID UNTIL", "LINK"]);
    assert.equal(t[1][0], "kim@example.invalid");
    const j = JSON.parse((await run(["meetings", "start", "--expert-email", email, "--json"])).stdout);
    assert.ok(j.meetingId);
    assertFails(await run(["meetings", "start"]), 2, "BAD_INPUT");
    assertFails(await run(["meetings", "start", "--expert-email", email, "--minutes", "99999"]), 2, "INVALID_ARGUMENT");
  });
});

describe("webhooks", () => {
  test("create, list, reports, rotate, delete", async () => {
    const created = JSON.parse((await run(["webhooks", "create", "--topic", "archive.available", "--url", HOOK, "--no-resolve", "--json"])).stdout);
    assert.ok(created.secret.length >= 22);
    const list = await run(["webhooks", "list"]);
    assert.equal(list.code, 0);
    const t = rows(list.stdout);
    assert.deepEqual(t[0], ["ID", "TOPIC", "URL"]);
    assert.ok(t.some((row) => row[0] === created.id && row[2] === created.url));
    const reports = await run(["webhooks", "reports", created.id, "--json"]);
    assert.equal(reports.code, 0, reports.stderr);
    assert.ok(Array.isArray(JSON.parse(reports.stdout).items));
    assert.equal((await run(["webhooks", "reports", created.id])).code, 0);

    const rotated = await run(["webhooks", "rotate", created.id, "--url", HOOK, "--no-resolve", "--json"]);
    assert.equal(rotated.code, 0, rotated.stderr);
    const rot = JSON.parse(rotated.stdout);
    assert.notEqual(rot.secret, created.secret);
    assert.equal(rot.subscription.url, HOOK.replace("{secret}", rot.secret));
    const ids = JSON.parse((await run(["webhooks", "list", "--json"])).stdout).items.map((s) => s.id);
    assert.ok(!ids.includes(created.id) && ids.includes(rot.subscription.id));

    const del = await run(["webhooks", "delete", rot.subscription.id]);
    assert.equal(del.code, 0);
    assert.equal(del.stdout, `deleted ${rot.subscription.id}\n`);
    assertFails(await run(["webhooks", "delete", rot.subscription.id]), 1, "NOT_FOUND");
    assertFails(await run(["webhooks", "rotate", "sub_nope", "--url", HOOK]), 1, "NOT_FOUND");
    assertFails(await run(["webhooks", "rotate", created.id, "--url", "https://crm.example.com/hooks/x"]), 2, "BAD_INPUT");
  });

  test("a callback URL the core refuses is bad input, and nothing is registered", async () => {
    const before = JSON.parse((await run(["webhooks", "list", "--json"])).stdout).items.length;
    assertFails(await run(["webhooks", "create", "--topic", "archive.available", "--url", "https://10.0.0.1/{secret}"]), 2, "SPECIAL_PURPOSE_ADDRESS");
    assertFails(await run(["webhooks", "create", "--topic", "archive.available", "--url", "http://crm.example.com/{secret}"]), 2, "NOT_HTTPS");
    assert.equal(JSON.parse((await run(["webhooks", "list", "--json"])).stdout).items.length, before);
  });
});

/** Runs `flexperto args` in a pseudo-terminal (python3's pty module); resolves to its output. */
function runInPty(args, env) {
  const py = "import os, pty, sys\nstatus = pty.spawn(sys.argv[1:])\nsys.exit(os.waitstatus_to_exitcode(status))";
  return new Promise((resolve) => {
    const child = spawn("python3", ["-c", py, process.execPath, BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

describe("archives", () => {
  let archive;
  let file;
  before(async () => {
    archive = await simArchive(sim, key, { sizeBytes: 400_000 });
    file = join(tmp, "archive.zip");
    writeFileSync(file, Buffer.from(await (await fetch(archive.url)).arrayBuffer()));
  });

  test("list: a table and JSON", async () => {
    const r = await run(["archives", "list"]);
    assert.equal(r.code, 0, r.stderr);
    const t = rows(r.stdout);
    assert.deepEqual(t[0], ["ID", "CONFERENCE", "STATUS", "SHA256"]);
    assert.ok(t.some((row) => row[0] === archive.archiveId));
    const j = JSON.parse((await run(["archives", "list", "--status", "AVAILABLE", "--json"])).stdout);
    assert.ok(j.items.some((x) => x.id === archive.archiveId && x.status === "AVAILABLE"));
    assertFails(await run(["archives", "list", "--status", "bogus"]), 2, "INVALID_ARGUMENT");
  });

  test("verify: OK, a mismatch (exit 1), a malformed checksum (exit 2), a missing file", async () => {
    const ok = await run(["archives", "verify", file, "--sha256", archive.record.sha256CheckSum]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(Object.fromEntries(rows(ok.stdout)).result, "OK");
    assert.equal(ok.stderr, "", "no progress drawn off a terminal");
    const j = JSON.parse((await run(["archives", "verify", file, "--sha256", archive.record.sha256CheckSum, "--json"])).stdout);
    assert.equal(j.sha256, archive.record.sha256CheckSum.toLowerCase());
    assertFails(await run(["archives", "verify", file, "--sha256", "0".repeat(64)]), 1, "CHECKSUM_MISMATCH");
    assertFails(await run(["archives", "verify", file, "--sha256", "xyz"]), 2, "INVALID_CHECKSUM");
    assertFails(await run(["archives", "verify", join(tmp, "nope.zip"), "--sha256", "0".repeat(64)]), 1, "IO_ERROR");
  });

  test("verify in a pseudo-terminal draws a progress bar redrawn in place", async () => {
    const big = join(tmp, "big.bin");
    const data = randomBytes(160 * 1024 * 1024);
    writeFileSync(big, data);
    const sha = createHash("sha256").update(data).digest("hex");
    const r = await runInPty(["archives", "verify", big, "--sha256", sha], envWith({}));
    rmSync(big);
    assert.equal(r.code, 0, r.out);
    const redraws = r.out.split("\r\x1b[2K").length - 1;
    assert.ok(redraws >= 3, `expected redraws, got ${JSON.stringify(r.out.slice(0, 400))}`);
    assert.match(r.out, /\[#*-+\] +\d{1,2}% /, "a partial bar before the full one");
    assert.match(r.out, /big\.bin +\[#{30}\] 100% 160\.0\/160\.0 MiB verified/);
    assert.match(r.out, /\x1b\[1A/, "the bar moves the cursor back up to redraw");
  });

  test("inspect: entries by name, metadata, JSON", async () => {
    const r = await run(["archives", "inspect", file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /themis\/metadata\.json/);
    assert.match(r.stdout, new RegExp(`conference +${archive.record.subject.conference_id}`));
    const j = JSON.parse((await run(["archives", "inspect", file, "--json"])).stdout);
    assert.ok(j.entries.some((e) => e.name === "themis/metadata.json"));
    assert.equal(j.metadata.conferenceId, archive.record.subject.conference_id);
    const notZip = join(tmp, "not.zip");
    writeFileSync(notZip, "hello");
    const bad = await run(["archives", "inspect", notZip]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^flexperto: ArchiveError \w+/);
  });

  const claimable = typeof sdk.ArchiveClaimer === "function";
  test("claim: flags are checked; without the claim worker in the build, one line and exit 1", async () => {
    assertFails(await run(["archives", "claim"]), 2, "BAD_INPUT");
    assertFails(await run(["archives", "claim", "--dir", tmp, "--interval-seconds", "5"]), 2, "BAD_INPUT");
    if (!claimable) assertFails(await run(["archives", "claim", "--dir", join(tmp, "c0")]), 1, "UNAVAILABLE");
  });

  test("claim: a progress bar per archive in a pseudo-terminal, files stored, counts", { skip: claimable ? false : "ArchiveClaimer is not in this build yet (issue 11)" }, async () => {
    const dir = join(tmp, "claimed");
    const ledger = join(tmp, "ledger.sqlite");
    const more = await Promise.all([simArchive(sim, key, { sizeBytes: 3_000_000 }), simArchive(sim, key, { sizeBytes: 3_000_000 })]);
    const r = await runInPty(["archives", "claim", "--dir", dir, "--ledger", ledger], envWith({ FLEXPERTO_BASE_URL: sim.url, FLEXPERTO_API_KEY: key }));
    assert.equal(r.code, 0, r.out);
    assert.ok(r.out.includes("\r\x1b[2K"), "redrawn in place");
    for (const a of more) assert.ok(r.out.includes(a.archiveId.slice(0, 24)), `a bar for ${a.archiveId}`);
    assert.match(r.out, /STORED +QUARANTINED +FAILED +SKIPPED/);
    const files = readdirSync(dir);
    for (const a of more) assert.ok(files.some((f) => f.includes(a.archiveId)), `${a.archiveId} in ${files}`);
    const again = JSON.parse((await run(["archives", "claim", "--dir", dir, "--ledger", ledger, "--json"])).stdout);
    assert.equal(again.stored, 0);
  });
});

describe("sim", () => {
  test("starts the bundled simulator binary (here FLEXPERTO_SIM_BIN), --spec-variant passed on", async () => {
    const child = spawn(process.execPath, [BIN, "sim", "--spec-variant"], { env: envWith({ FLEXPERTO_SIM_BIN: SIM_BIN }), stdio: ["ignore", "pipe", "inherit"] });
    const url = await new Promise((resolve, reject) => {
      child.stdout.once("data", (d) => {
        const m = /^listening on (http:\/\/\S+)/.exec(String(d));
        m ? resolve(m[1]) : reject(new Error(String(d)));
      });
      child.once("exit", (c) => reject(new Error(`exited ${c}`)));
    });
    const spec = await (await fetch(`${url}/api/v2/spec`)).json();
    assert.ok(spec.paths["/communication/notificationssubscriptions/notificationssubscriptions/webhook"]);
    const exited = new Promise((r) => child.once("exit", (code) => r(code)));
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
  });

  test("no simulator binary: one line, exit 1", async () => {
    const r = await run(["sim"], { env: envWith({ FLEXPERTO_SIM_BIN: join(tmp, "no-such-sim"), PATH: "/nonexistent" }) });
    assertFails(r, 1, "SIM_NOT_FOUND");
  });
});
