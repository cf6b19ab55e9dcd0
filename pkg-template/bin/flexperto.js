#!/usr/bin/env node
// The `flexperto` command: the package's Node entry (the same wasm core as the library) driven from
// a terminal. This file parses arguments, reads and writes files and draws tables and progress
// bars; every SDK rule (configuration, routes, URLs, checksums, retries, drift) is the core's.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { spawn } = require("node:child_process");

const USAGE = `usage: flexperto [options] <command> [arguments]

commands:
  check-spec                                  compare the tenant's /api/v2/spec with the SDK's contract
                                              (exit 3 when a call of the SDK would break)
  experts ensure --email E [--first-name F] [--last-name L] [--send-mails]
  meetings start (--expert-email E [--first-name F] [--last-name L] | --expert-id ID)
                 [--customer-email E] [--customer-first-name F] [--customer-last-name L] [--minutes N]
  archives list [--status S] [--max N]
  archives claim --dir DIR [--ledger FILE|postgres://URL] [--watch] [--interval-seconds N] [--concurrency N]
  archives verify FILE --sha256 HEX
  archives inspect FILE
  webhooks list
  webhooks create --topic T --url URL         a {secret} in URL is replaced by a fresh secret
  webhooks delete ID
  webhooks reports ID
  webhooks rotate ID --url URL [--grace-seconds N]   URL must contain {secret}
  sim [--port N] [--spec-variant] [--allow-http-loopback]   run the bundled simulator

options:
  --tenant NAME --environment test|live       or FLEXPERTO_TENANT and FLEXPERTO_ENVIRONMENT
  --base-url URL                              or FLEXPERTO_BASE_URL (a proxy, the simulator)
  --api-key-file FILE                         the key is read from FLEXPERTO_API_KEY or this file,
                                              never from a flag value
  --route OPERATION=PATH                      a route override (repeatable), e.g. from check-spec
  --timeout-ms N  --allow-http-loopback  --json  --help
  --no-resolve                                webhooks create/rotate: skip the DNS check of the
                                              callback's name (its own URL rules still apply)

exit status: 0 ok, 1 API or I/O failure, 2 bad input, 3 breaking drift (check-spec)
`;

/** A problem with the command line: exit status 2. */
class UsageError extends Error {
  constructor(message, code = "BAD_INPUT") {
    super(message);
    this.name = "UsageError";
    this.code = code;
  }
}

/** A failure of the command itself (not the SDK's): exit status 1. */
class CommandError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "CommandError";
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------
// Arguments

const GLOBAL = {
  tenant: "string",
  environment: "string",
  "base-url": "string",
  "api-key-file": "string",
  route: "list",
  "timeout-ms": "int",
  "allow-http-loopback": "boolean",
  "no-resolve": "boolean",
  json: "boolean",
  help: "boolean",
};

/** Splits argv into positionals and options of the kinds in `spec` (plus GLOBAL). */
function parseArgs(argv, spec) {
  const kinds = { ...GLOBAL, ...spec };
  const opts = {};
  const positionals = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (name === "api-key") {
      throw new UsageError(
        "the API key is never taken from a flag (it would show in the process list and the shell history): set FLEXPERTO_API_KEY or use --api-key-file FILE",
      );
    }
    const kind = kinds[name];
    if (kind === undefined) throw new UsageError(`unknown option --${name}`);
    if (kind === "boolean") {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      opts[name] = true;
      continue;
    }
    let value;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i];
    else throw new UsageError(`--${name} needs a value`);
    if (kind === "int") {
      if (!/^\d{1,9}$/.test(value)) throw new UsageError(`--${name} must be a whole number`);
      value = Number(value);
    }
    if (kind === "list") (opts[name] ??= []).push(value);
    else opts[name] = value;
  }
  return { opts, positionals };
}

function need(opts, name) {
  if (opts[name] === undefined) throw new UsageError(`--${name} is required`);
  return opts[name];
}

function onePositional(positionals, what) {
  if (positionals.length !== 1) throw new UsageError(`expected one ${what}`);
  return positionals[0];
}

function noPositionals(positionals) {
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
}

// ---------------------------------------------------------------------------------------------
// The SDK and the client

let sdkModule;
/** The package's Node entry, loaded on first use (`sim` and `--help` need no wasm). */
function sdk() {
  sdkModule ??= require("../node/index.js");
  return sdkModule;
}

/** Client options from flags, else the environment; the core's constructor checks them. */
function clientOptions(opts, env) {
  const fromFlags = opts.tenant !== undefined || opts.environment !== undefined || opts["base-url"] !== undefined;
  const options = {};
  if (fromFlags) {
    if (opts["base-url"] !== undefined) options.baseUrl = opts["base-url"];
    if (opts.tenant !== undefined) options.tenant = opts.tenant;
    if (opts.environment !== undefined) options.environment = opts.environment;
  } else if (env.FLEXPERTO_BASE_URL) {
    options.baseUrl = env.FLEXPERTO_BASE_URL;
  } else {
    if (env.FLEXPERTO_TENANT) options.tenant = env.FLEXPERTO_TENANT;
    if (env.FLEXPERTO_ENVIRONMENT) options.environment = env.FLEXPERTO_ENVIRONMENT;
  }
  let key = env.FLEXPERTO_API_KEY;
  if (opts["api-key-file"] !== undefined) {
    try {
      key = fs.readFileSync(opts["api-key-file"], "utf8").trim();
    } catch (e) {
      throw new UsageError(`--api-key-file: cannot read ${opts["api-key-file"]} (${e.code ?? e.message})`);
    }
  }
  if (!key) throw new UsageError("no API key: set FLEXPERTO_API_KEY or use --api-key-file FILE");
  options.apiKey = key;
  if (opts["timeout-ms"] !== undefined) options.timeoutMs = opts["timeout-ms"];
  if (opts.route) {
    options.routes = {};
    for (const r of opts.route) {
      const eq = r.indexOf("=");
      if (eq <= 0) throw new UsageError(`--route must be OPERATION=PATH, got ${JSON.stringify(r)}`);
      options.routes[r.slice(0, eq)] = r.slice(eq + 1);
    }
  }
  return options;
}

function client(ctx) {
  return new (sdk().FlexpertoClient)(clientOptions(ctx.opts, ctx.env));
}

// ---------------------------------------------------------------------------------------------
// Output

/** A table with a header row; `columns` are [title, row => value]. */
function table(rows, columns) {
  const cells = [columns.map(([t]) => t), ...rows.map((r) => columns.map(([, f]) => cell(f(r))))];
  const widths = columns.map((_, i) => Math.max(...cells.map((c) => c[i].length)));
  return cells
    .map((c) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]))).join("  ").trimEnd())
    .join("\n");
}

function cell(v) {
  if (v === undefined || v === null) return "-";
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") return JSON.stringify(v);
  return String(v).replace(/\s+/g, " ");
}

/** `key  value` lines. */
function fields(pairs) {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${cell(v)}`).join("\n");
}

function toJson(value) {
  return JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}

// ---------------------------------------------------------------------------------------------
// Progress bars (archives claim): one line per archive in flight, redrawn in place on a terminal.

class ProgressBars {
  /** `quiet`: draw nothing off a terminal (the default writes one line per finished archive). */
  constructor(stream, { quiet = false } = {}) {
    this.stream = stream;
    this.tty = Boolean(stream.isTTY);
    this.quiet = quiet;
    this.live = new Map();
    this.drawn = 0;
    this.finished = [];
    this.timer = null;
  }

  update(id, bytes, total, state) {
    const bar = this.live.get(id) ?? { id, bytes: 0, total: undefined, state: "" };
    if (bytes !== undefined) bar.bytes = bytes;
    if (total !== undefined) bar.total = total;
    if (state !== undefined) bar.state = state;
    this.live.set(id, bar);
    this.schedule();
  }

  /** A line printed above the bars. */
  note(text) {
    this.finished.push({ note: text });
    this.schedule();
  }

  finish(id, state) {
    const bar = this.live.get(id) ?? { id, bytes: 0, total: undefined, state };
    bar.state = state;
    this.live.delete(id);
    this.finished.push(bar);
    this.schedule();
  }

  schedule() {
    if (this.timer) return;
    // At most one redraw per 100 ms on a terminal; the first one at once.
    const wait = this.tty ? Math.max(0, (this.last ?? -Infinity) + 100 - Date.now()) : 0;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.last = Date.now();
      this.render();
    }, wait);
  }

  line(bar) {
    const width = 30;
    const total = bar.total > 0 ? bar.total : undefined;
    const frac = total ? Math.min(1, bar.bytes / total) : 0;
    const filled = Math.round(frac * width);
    const pct = total ? `${String(Math.floor(frac * 100)).padStart(3)}%` : "   ?";
    const size = total ? `${mib(bar.bytes)}/${mib(total)} MiB` : `${mib(bar.bytes)} MiB`;
    return `${bar.id.slice(0, 24).padEnd(24)} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${pct} ${size} ${bar.state}`;
  }

  render() {
    if (!this.tty) {
      // Not a terminal: one line per archive when it ends, no redraws.
      for (const bar of this.finished.splice(0)) {
        if (!this.quiet) this.stream.write(bar.note === undefined ? `${bar.id} ${bar.state} ${mib(bar.bytes)} MiB\n` : `${bar.note}\n`);
      }
      return;
    }
    let out = this.drawn > 0 ? `\x1b[${this.drawn}A` : "";
    for (const bar of this.finished.splice(0)) out += `\r\x1b[2K${bar.note ?? this.line(bar)}\n`;
    for (const bar of this.live.values()) out += `\r\x1b[2K${this.line(bar)}\n`;
    out += "\x1b[J";
    this.drawn = this.live.size;
    this.stream.write(out);
  }

  close() {
    for (const [id, bar] of [...this.live]) this.finish(id, bar.state);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.render();
  }
}

function mib(bytes) {
  return (bytes / 1048576).toFixed(1);
}

// ---------------------------------------------------------------------------------------------
// Commands

async function checkSpec(ctx) {
  const { positionals } = parseArgs(ctx.args, {});
  noPositionals(positionals);
  const c = client(ctx);
  const report = await c.checkSpec();
  if (ctx.opts.json) {
    ctx.out(toJson(report));
  } else {
    ctx.out(`contract ${report.contractVersion}, tenant ${report.tenantVersion}: ${report.operationsCompared} operations compared, ${report.findings.length} findings`);
    if (report.findings.length > 0) {
      ctx.out(
        table(report.findings, [
          ["SEVERITY", (f) => f.severity],
          ["KIND", (f) => f.kind],
          ["METHOD", (f) => f.method],
          ["PATH", (f) => f.path],
          ["OPERATION", (f) => f.operation],
          ["DETAIL", (f) => f.message],
        ]),
      );
    }
    const routes = Object.entries(report.routes);
    // Printed while a move is still breaking, i.e. not yet followed by --route flags.
    if (report.findings.some((f) => f.routeOverride && f.severity === "breaking")) {
      ctx.out("\nroute overrides that fix the moved paths:");
      ctx.out(`  routes: ${JSON.stringify(report.routes)}`);
      ctx.out(`  flexperto ${routes.map(([op, p]) => `--route ${op}=${p}`).join(" ")} ...`);
    }
  }
  return report.breaking ? 3 : 0;
}

async function expertsEnsure(ctx) {
  const { opts, positionals } = parseArgs(ctx.args, { email: "string", "first-name": "string", "last-name": "string", "send-mails": "boolean" });
  noPositionals(positionals);
  const expert = { email: need(opts, "email") };
  if (opts["first-name"] !== undefined) expert.firstName = opts["first-name"];
  if (opts["last-name"] !== undefined) expert.lastName = opts["last-name"];
  const result = await client(ctx).ensureExpert(expert, { suppressMails: !opts["send-mails"] });
  ctx.out(ctx.opts.json ? toJson(result) : fields([["accountId", result.accountId], ["created", result.created], ["confirmed", result.confirmed]]));
  return 0;
}

async function meetingsStart(ctx) {
  const { opts, positionals } = parseArgs(ctx.args, {
    "expert-email": "string",
    "expert-id": "string",
    "first-name": "string",
    "last-name": "string",
    "customer-email": "string",
    "customer-first-name": "string",
    "customer-last-name": "string",
    minutes: "int",
  });
  noPositionals(positionals);
  if ((opts["expert-email"] === undefined) === (opts["expert-id"] === undefined)) {
    throw new UsageError("give one of --expert-email and --expert-id");
  }
  const expert = opts["expert-id"] !== undefined ? { accountId: opts["expert-id"] } : { email: opts["expert-email"] };
  if (opts["first-name"] !== undefined) expert.firstName = opts["first-name"];
  if (opts["last-name"] !== undefined) expert.lastName = opts["last-name"];
  const call = { expert };
  const customer = {};
  if (opts["customer-email"] !== undefined) customer.email = opts["customer-email"];
  if (opts["customer-first-name"] !== undefined) customer.firstName = opts["customer-first-name"];
  if (opts["customer-last-name"] !== undefined) customer.lastName = opts["customer-last-name"];
  if (Object.keys(customer).length > 0) call.customer = customer;
  if (opts.minutes !== undefined) call.validForMinutes = opts.minutes;
  const r = await client(ctx).startVideoCall(call);
  if (ctx.opts.json) {
    ctx.out(toJson(r));
    return 0;
  }
  ctx.out(fields([["meetingId", r.meetingId], ["expertAccountId", r.expertAccountId], ["moderatorLink", r.moderatorLink?.url]]));
  ctx.out("");
  ctx.out(
    table(r.participantLinks ?? [], [
      ["PARTICIPANT", (l) => l.participant?.email ?? "(guest)"],
      ["VALID FROM", (l) => l.notBefore],
      ["VALID UNTIL", (l) => l.validUntil],
      ["LINK", (l) => l.url],
    ]),
  );
  return 0;
}

async function archivesList(ctx) {
  const { opts, positionals } = parseArgs(ctx.args, { status: "string", max: "int" });
  noPositionals(positionals);
  const c = client(ctx);
  const rows = [];
  const max = opts.max ?? Infinity;
  for await (const record of c.archives(opts.status === undefined ? {} : { status: opts.status })) {
    if (rows.length >= max) break;
    rows.push(record);
  }
  ctx.out(
    ctx.opts.json
      ? toJson({ items: rows })
      : table(rows, [
          ["ID", (r) => r.id],
          ["CONFERENCE", (r) => r.conferenceId],
          ["STATUS", (r) => r.status],
          ["SHA256", (r) => r.sha256CheckSum],
        ]),
  );
  return 0;
}

function openLedger(spec, dir) {
  const s = sdk();
  if (/^postgres(ql)?:\/\//.test(spec)) {
    if (typeof s.PostgresLedger !== "function") throw new CommandError("UNAVAILABLE", "PostgresLedger is not in this build of flexperto-sdk");
    return new s.PostgresLedger({ connectionString: spec });
  }
  if (typeof s.SqliteLedger !== "function") throw new CommandError("UNAVAILABLE", "SqliteLedger is not in this build of flexperto-sdk");
  return new s.SqliteLedger({ path: spec ?? path.join(dir, ".flexperto-ledger.sqlite") });
}

async function archivesClaim(ctx) {
  const { opts, positionals } = parseArgs(ctx.args, {
    dir: "string",
    ledger: "string",
    watch: "boolean",
    "interval-seconds": "int",
    concurrency: "int",
  });
  noPositionals(positionals);
  const dir = need(opts, "dir");
  if (opts["interval-seconds"] !== undefined && !opts.watch) throw new UsageError("--interval-seconds goes with --watch");
  const s = sdk();
  if (typeof s.ArchiveClaimer !== "function") {
    throw new CommandError("UNAVAILABLE", "ArchiveClaimer is not in this build of flexperto-sdk");
  }
  const c = client(ctx);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new CommandError("IO_ERROR", `--dir: cannot create ${dir} (${e.code ?? e.message})`);
  }
  const ledger = openLedger(opts.ledger, dir);
  if (typeof ledger.migrate === "function") await ledger.migrate();
  const bars = new ProgressBars(ctx.stderr);
  const claimer = new s.ArchiveClaimer({
    client: c,
    sink: new s.FileArchiveSink({ dir }),
    ledger,
    ...(opts.concurrency === undefined ? {} : { concurrency: opts.concurrency }),
    onProgress: (p) => progress(bars, p),
  });
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let counts;
  try {
    if (opts.watch) {
      await claimer.run({ intervalMs: (opts["interval-seconds"] ?? 60) * 1000, signal: stop.signal });
      counts = claimer.counts;
    } else {
      counts = await claimer.sweep({ signal: stop.signal });
    }
  } finally {
    bars.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await ledger.close?.();
  }
  const shown = { stored: counts.stored, quarantined: counts.quarantined, failed: counts.failed, skipped: counts.skipped };
  ctx.out(ctx.opts.json ? toJson(shown) : table([shown], Object.keys(shown).map((k) => [k.toUpperCase(), (r) => r[k]])));
  return counts.quarantined > 0 ? 1 : 0;
}

/** Feeds one onProgress report of the claimer (`ClaimProgress`) into the bars. */
function progress(bars, p) {
  if (!p || typeof p !== "object") return;
  if (typeof p.archiveId !== "string") {
    if (p.outcome === "error") bars.note(`sweep failed, retried at the next interval: ${p.error}`);
    return;
  }
  if (p.outcome === "active") bars.update(p.archiveId, p.bytes, p.totalBytes, p.state ?? "");
  else bars.finish(p.archiveId, p.error ? `${p.outcome}: ${p.error}` : p.outcome);
}

async function archivesVerify(ctx) {
  const { opts, positionals } = parseArgs(ctx.args, { sha256: "string" });
  const file = onePositional(positionals, "FILE");
  const expected = need(opts, "sha256");
  const { ArchiveChecksum } = sdk();
  // The core decides what a checksum looks like: checked against nothing before reading the file.
  try {
    new ArchiveChecksum().verify(expected);
  } catch (e) {
    if (e.code !== "CHECKSUM_MISMATCH") throw Object.assign(e, { badInput: true });
  }
  const stream = await openFile(file);
  const size = fs.fstatSync(stream.fd).size;
  const bars = new ProgressBars(ctx.stderr, { quiet: !ctx.stderr.isTTY });
  let result;
  try {
    result = await ArchiveChecksum.verifyStream(stream, expected, {
      onProgress: ({ bytes }) => bars.update(path.basename(file), bytes, size, "hashing"),
    });
    bars.finish(path.basename(file), "verified");
  } finally {
    bars.close();
  }
  const { sha256, bytes } = result;
  ctx.out(ctx.opts.json ? toJson({ file, sha256, bytes, ok: true }) : fields([["file", file], ["sha256", sha256], ["bytes", bytes], ["result", "OK"]]));
  return 0;
}

function openFile(file) {
  return new Promise((resolve, reject) => {
    const s = fs.createReadStream(file);
    s.once("open", () => resolve(s));
    s.once("error", (e) => reject(new CommandError("IO_ERROR", `cannot read ${file} (${e.code ?? e.message})`)));
  });
}

async function archivesInspect(ctx) {
  const { positionals } = parseArgs(ctx.args, {});
  const file = onePositional(positionals, "FILE");
  await openFile(file).then((s) => s.destroy());
  const archive = await sdk().ArchiveInspector.open(file);
  try {
    let metadata = null;
    let metadataError = null;
    try {
      metadata = await archive.metadata();
    } catch (e) {
      metadataError = `${e.name} ${e.code}: ${e.message}`;
    }
    const entries = archive.entries.map((e) => ({ name: e.name, size: e.size }));
    if (ctx.opts.json) {
      ctx.out(toJson({ file, size: archive.size, zip64: archive.zip64, entries, findings: archive.findings, metadata, metadataError }));
      return 0;
    }
    ctx.out(fields([["file", file], ["size", archive.size], ["zip64", archive.zip64], ["entries", entries.length]]));
    if (metadata) {
      ctx.out(fields([["conference", metadata.conferenceId], ["started", metadata.startedAt], ["ended", metadata.endedAt], ["moderator", metadata.moderator?.email]]));
    } else if (metadataError) {
      ctx.out(`metadata: ${metadataError}`);
    }
    ctx.out("");
    ctx.out(table(entries, [["ENTRY", (e) => e.name], ["SIZE", (e) => e.size]]));
    if (archive.findings.length > 0) {
      ctx.out("");
      ctx.out(table(archive.findings, [["FINDING", (f) => f.code], ["ENTRY", (f) => f.name]]));
    }
    return 0;
  } finally {
    await archive.close();
  }
}

async function webhooksList(ctx) {
  const { positionals } = parseArgs(ctx.args, {});
  noPositionals(positionals);
  const { items } = await client(ctx).listWebhookSubscriptions();
  ctx.out(ctx.opts.json ? toJson({ items }) : table(items, [["ID", (s) => s.id], ["TOPIC", (s) => s.topic], ["URL", (s) => s.url]]));
  return 0;
}

/** `url` with `{secret}` replaced by a fresh secret (the core's generator). */
function withSecret(url) {
  if (!url.includes("{secret}")) return { url, secret: undefined };
  const secret = sdk().generateWebhookSecret();
  return { url: url.split("{secret}").join(secret), secret };
}

/** `--no-resolve`: `{ resolve: false }` (the callback's name is not looked up); else the default. */
function resolveOption(ctx) {
  return ctx.opts["no-resolve"] ? { resolve: false } : {};
}

async function webhooksCreate(ctx) {
  const { opts, positionals } = parseArgs(ctx.args, { topic: "string", url: "string" });
  noPositionals(positionals);
  const topic = need(opts, "topic");
  const { url, secret } = withSecret(need(opts, "url"));
  const allowHttpLoopback = Boolean(ctx.opts["allow-http-loopback"]);
  badInputIfThrows(() => sdk().validateCallbackUrl(url, { allowHttpLoopback }));
  const sub = await client(ctx).createWebhookSubscription({ topic, url }, { allowHttpLoopback, ...resolveOption(ctx) });
  const shown = secret === undefined ? sub : { ...sub, secret };
  ctx.out(ctx.opts.json ? toJson(shown) : fields(Object.entries(shown)));
  return 0;
}

async function webhooksDelete(ctx) {
  const { positionals } = parseArgs(ctx.args, {});
  const id = onePositional(positionals, "subscription ID");
  await client(ctx).deleteWebhookSubscription(id);
  ctx.out(ctx.opts.json ? toJson({ deleted: id }) : `deleted ${id}`);
  return 0;
}

async function webhooksReports(ctx) {
  const { positionals } = parseArgs(ctx.args, {});
  const id = onePositional(positionals, "subscription ID");
  const { items } = await client(ctx).listWebhookSubscriptionReports(id);
  if (ctx.opts.json) {
    ctx.out(toJson({ items }));
    return 0;
  }
  const keys = [...new Set(items.flatMap((r) => Object.keys(r)))];
  ctx.out(items.length === 0 ? "no delivery attempts" : table(items, keys.map((k) => [k.toUpperCase(), (r) => r[k]])));
  return 0;
}

async function webhooksRotate(ctx) {
  const { opts, positionals } = parseArgs(ctx.args, { url: "string", "grace-seconds": "int" });
  const id = onePositional(positionals, "subscription ID");
  const template = need(opts, "url");
  if (!template.includes("{secret}")) throw new UsageError("--url must contain {secret}, where the new secret goes");
  const s = sdk();
  const allowHttpLoopback = Boolean(ctx.opts["allow-http-loopback"]);
  badInputIfThrows(() => s.validateCallbackUrl(template.split("{secret}").join(s.generateWebhookSecret()), { allowHttpLoopback }));
  const c = client(ctx);
  const { items } = await c.listWebhookSubscriptions();
  const old = items.find((x) => x.id === id);
  if (!old) throw new CommandError("NOT_FOUND", `no subscription ${id}`);
  // The old URL's secret segments, as the core's verifier accepts them.
  const current = new URL(old.url).pathname.split("/").filter((seg) => {
    try {
      new s.WebhookVerifier({ secrets: [seg] }).free?.();
      return true;
    } catch {
      return false;
    }
  });
  if (current.length === 0) throw new CommandError("NO_SECRET", `subscription ${id} has no secret segment in its URL`);
  const verifier = new s.WebhookVerifier({ secrets: current });
  const rotation = await s.rotateWebhookSecret(c, old, {
    verifier,
    currentSecrets: current,
    urlFor: (secret) => template.split("{secret}").join(secret),
    graceMs: (opts["grace-seconds"] ?? 0) * 1000,
    drainMs: 0,
    allowHttpLoopback,
    ...resolveOption(ctx),
  });
  await rotation.done;
  const shown = { secret: rotation.secret, subscription: rotation.subscription, deleted: id };
  ctx.out(ctx.opts.json ? toJson(shown) : fields([["deleted", id], ["id", rotation.subscription.id], ["url", rotation.subscription.url], ["secret", rotation.secret]]));
  return 0;
}

function badInputIfThrows(f) {
  try {
    return f();
  } catch (e) {
    throw Object.assign(e, { badInput: true });
  }
}

/** The simulator binary: FLEXPERTO_SIM_BIN, the flexperto-sim package's, or flexperto-sim on PATH. */
function findSim(env) {
  if (env.FLEXPERTO_SIM_BIN) return env.FLEXPERTO_SIM_BIN;
  let simPackage;
  try {
    simPackage = require("flexperto-sim");
  } catch {
    // not installed
  }
  if (typeof simPackage?.binaryPath === "function") {
    try {
      return simPackage.binaryPath();
    } catch (e) {
      throw new CommandError("SIM_NOT_FOUND", e.message);
    }
  }
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "flexperto-sim");
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

async function sim(ctx) {
  const { opts, positionals } = parseArgs(ctx.args, { port: "int", host: "string", "spec-variant": "boolean" });
  noPositionals(positionals);
  const bin = findSim(ctx.env);
  if (!bin || !fs.existsSync(bin)) {
    throw new CommandError("SIM_NOT_FOUND", "no simulator binary: install flexperto-sim, put it on PATH, or set FLEXPERTO_SIM_BIN");
  }
  const args = ["--port", String(opts.port ?? 0)];
  if (opts.host !== undefined) args.push("--host", opts.host);
  if (opts["spec-variant"]) args.push("--spec-variant");
  if (ctx.opts["allow-http-loopback"]) args.push("--allow-http-loopback");
  const child = spawn(bin, args, { stdio: ["ignore", "inherit", "inherit"] });
  const forward = (sig) => child.kill(sig);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  const code = await new Promise((resolve, reject) => {
    child.once("error", (e) => reject(new CommandError("SIM_FAILED", `cannot start ${bin} (${e.code ?? e.message})`)));
    child.once("exit", (c, signal) => resolve(signal ? 0 : c));
  });
  process.off("SIGINT", forward);
  process.off("SIGTERM", forward);
  return code === 2 ? 2 : code === 0 ? 0 : 1;
}

const COMMANDS = {
  "check-spec": checkSpec,
  "experts ensure": expertsEnsure,
  "meetings start": meetingsStart,
  "archives list": archivesList,
  "archives claim": archivesClaim,
  "archives verify": archivesVerify,
  "archives inspect": archivesInspect,
  "webhooks list": webhooksList,
  "webhooks create": webhooksCreate,
  "webhooks delete": webhooksDelete,
  "webhooks reports": webhooksReports,
  "webhooks rotate": webhooksRotate,
  sim,
};

// ---------------------------------------------------------------------------------------------
// Main

/** Exit status of an error: 2 for bad input, 1 for the rest. */
function exitCode(e) {
  if (e instanceof UsageError || e.badInput) return 2;
  if (e.name === "ConfigError" || e.name === "ValidationError") return 2;
  return 1;
}

function errorLine(e) {
  const status = typeof e.status === "number" ? ` (HTTP ${e.status})` : "";
  // A route the tenant does not serve (decided in Rust: ApiError.routeNotServed): its spec may
  // say where it is.
  const hint = e.name === "ApiError" && e.routeNotServed === true
    ? " (if the tenant serves this operation elsewhere, flexperto check-spec says where)"
    : "";
  return `flexperto: ${e.name ?? "Error"} ${e.code ?? "ERROR"}${status}: ${String(e.message).replace(/\s+/g, " ")}${hint}`;
}

async function main(argv, env = process.env) {
  const stdout = process.stdout;
  const stderr = process.stderr;
  let json = argv.includes("--json");
  try {
    if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) {
      stdout.write(USAGE);
      return argv.length === 0 ? 2 : 0;
    }
    // Global options may stand anywhere; what remains is the command and its own arguments.
    const globals = {};
    const remaining = [];
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      const n = a.startsWith("--") ? a.slice(2).split("=")[0] : undefined;
      if (n === "api-key") parseArgs([a], {}); // throws the UsageError that explains why
      if (n === undefined || GLOBAL[n] === undefined) {
        remaining.push(a);
        continue;
      }
      const take = GLOBAL[n] !== "boolean" && !a.includes("=") ? 2 : 1;
      const parsed = parseArgs(argv.slice(i, i + take), {}).opts;
      for (const [k, v] of Object.entries(parsed)) globals[k] = Array.isArray(v) ? [...(globals[k] ?? []), ...v] : v;
      i += take - 1;
    }
    json = Boolean(globals.json);
    const [w1, w2] = remaining;
    let name;
    let args;
    if (COMMANDS[w1]) {
      name = w1;
      args = remaining.slice(1);
    } else if (w1 !== undefined && w2 !== undefined && COMMANDS[`${w1} ${w2}`]) {
      name = `${w1} ${w2}`;
      args = remaining.slice(2);
    } else {
      const given = remaining.filter((a) => !a.startsWith("-")).slice(0, 2).join(" ");
      throw new UsageError(`unknown command ${JSON.stringify(given)} (see flexperto --help)`);
    }
    const ctx = {
      opts: globals,
      env,
      args,
      stderr,
      out: (text) => stdout.write(`${text}\n`),
    };
    return await COMMANDS[name](ctx);
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    if (json) {
      stderr.write(`${JSON.stringify({ error: { name: err.name, code: err.code ?? "ERROR", message: err.message, ...(typeof err.status === "number" ? { status: err.status } : {}) } })}\n`);
    } else {
      stderr.write(`${errorLine(err)}\n`);
    }
    return exitCode(err);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`flexperto: ${e?.stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}

module.exports = { main };
