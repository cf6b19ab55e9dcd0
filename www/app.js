// The CRM demo page: plain ES module, no build step. It talks only to its own backend (/api/...),
// never to Flexperto: the API key stays on the server. Each page section has one setup function;
// sections talk through DOM events (e.g. "experts-changed"), so new ones plug in without edits here.

/** Calls the demo backend; resolves to its JSON, or throws `{ code, message, status }`. */
async function api(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? { accept: "application/json" }
        : { accept: "application/json", "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw { code: "OFFLINE", message: "the demo server cannot be reached" };
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw data.error ?? { code: `HTTP_${res.status}`, message: res.statusText };
  }
  return data;
}

/** Creates an element: `h("td", { class: "x" }, "text", child)`. Text is never parsed as HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  el.append(...children);
  return el;
}

/** Shows `error` in an alert element, or hides it when `error` is null. */
function showError(el, error) {
  el.hidden = !error;
  el.replaceChildren();
  if (!error) return;
  const status = error.status ? ` (Flexperto API status ${error.status})` : "";
  el.append(h("strong", { class: "code" }, error.code ?? "ERROR"), " ", `${error.message ?? ""}${status}`);
}

function setupProvisioning() {
  const form = document.getElementById("provision-form");
  const button = document.getElementById("provision-expert");
  const result = document.getElementById("provision-result");
  const alert = document.getElementById("provision-error");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const value = (id) => document.getElementById(id).value.trim();
    const expert = {
      email: value("expert-email"),
      firstName: value("expert-first-name"),
      lastName: value("expert-last-name"),
    };
    button.disabled = true;
    form.setAttribute("aria-busy", "true");
    result.hidden = true;
    result.replaceChildren();
    showError(alert, null);
    try {
      const { accountId, created, confirmed, stored } = await api("POST", "/api/experts", expert);
      result.dataset.created = String(created);
      result.append(
        h("p", { class: "result-title" }, created ? "Created a new account" : "Found the existing account"),
        h("dl", {},
          h("dt", {}, "Account id"), h("dd", {}, h("code", { id: "account-id" }, accountId)),
          h("dt", {}, "Account"), h("dd", {}, badge(created ? "created" : "found", created ? "new" : "neutral")),
          h("dt", {}, "E-mail"), h("dd", {}, confirmed ? badge("confirmed now", "new") : badge("already confirmed", "neutral")),
          h("dt", {}, "Stored in the CRM"), h("dd", {}, h("code", {}, "flexperto_account_id"), " = ",
            h("code", { id: "stored-account-id" }, stored?.flexpertoAccountId ?? "—")),
        ),
      );
      result.hidden = false;
      document.dispatchEvent(new CustomEvent("experts-changed", { detail: { accountId, expert } }));
    } catch (error) {
      showError(alert, error);
    } finally {
      button.disabled = false;
      form.removeAttribute("aria-busy");
    }
  });
}

function badge(text, kind) {
  return h("span", { class: `badge ${kind}` }, text);
}

/** Labels each cell of `tbody` with its column's header, for the stacked layout of narrow screens. */
function labelCells(tbody) {
  const heads = [...tbody.closest("table").querySelectorAll("thead th")].map((th) => th.textContent.trim());
  for (const row of tbody.rows) {
    [...row.cells].forEach((cell, i) => heads[i] && cell.colSpan === 1 && cell.setAttribute("data-label", heads[i]));
  }
}

function setupExperts() {
  const tbody = document.querySelector("#experts tbody");
  const count = document.getElementById("experts-count");
  const alert = document.getElementById("experts-error");
  let highlight = null;

  async function refresh() {
    try {
      const { items } = await api("GET", "/api/experts");
      showError(alert, null);
      const rows = items.map((x) => h("tr", x.id === highlight ? { class: "highlight" } : {},
        h("td", {}, [x.firstName, x.lastName].filter(Boolean).join(" ") || "—"),
        h("td", {}, x.email),
        h("td", {}, h("code", {}, x.id)),
        h("td", {}, x.storedAccountId === x.id ? badge("stored", "new") : x.storedAccountId ? badge("other id", "warn") : badge("no", "neutral")),
        h("td", {}, x.emailConfirmed ? badge("yes", "new") : badge("no", "warn")),
      ));
      if (rows.length === 0) rows.push(h("tr", { class: "empty" }, h("td", { colspan: "5" }, "No experts yet.")));
      tbody.replaceChildren(...rows);
      labelCells(tbody);
      count.textContent = `${items.length} expert${items.length === 1 ? "" : "s"}`;
    } catch (error) {
      showError(alert, error);
    }
  }

  document.addEventListener("experts-changed", (event) => {
    highlight = event.detail?.accountId ?? null;
    refresh();
  });
  document.getElementById("refresh-experts").addEventListener("click", refresh);
  refresh();
}

/** "Kim Berger", or the e-mail when there is no name. */
function displayName({ firstName, lastName, email } = {}) {
  return [firstName, lastName].filter(Boolean).join(" ") || email || "";
}

const TIME = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short", hourCycle: "h23" });

/** "valid 14:05 – 15:05" in local time, with `<time>` elements; dates too unless both are today. */
function validity({ notBefore, validUntil }) {
  const from = new Date(notBefore);
  const until = new Date(validUntil);
  const today = new Date().toDateString();
  const fmt = from.toDateString() === today && until.toDateString() === today ? TIME : DATE_TIME;
  const time = (d) => Number.isNaN(d.getTime()) ? "?"
    : h("time", { datetime: d.toISOString(), title: DATE_TIME.format(d) }, fmt.format(d));
  return h("span", { class: "validity" }, "valid ", time(from), " – ", time(until));
}

/** A link opening in a new tab, for http(s) URLs only; anything else is shown as text. */
function externalLink(url, text, attrs = {}) {
  let safe = false;
  try {
    safe = ["http:", "https:"].includes(new URL(url).protocol);
  } catch {}
  return safe ? h("a", { ...attrs, href: url, target: "_blank", rel: "noopener" }, text)
    : h("code", attrs, String(url));
}

/** An e-mail as text nodes with a line-break opportunity after the "@". */
function breakableEmail(email) {
  const at = email.indexOf("@");
  return at < 0 ? [email] : [email.slice(0, at + 1), h("wbr"), email.slice(at + 1)];
}

function setupVideoCalls() {
  const tbody = document.querySelector("#customers tbody");
  const count = document.getElementById("customers-count");
  const listAlert = document.getElementById("customers-error");
  const expertLabel = document.getElementById("call-expert");
  const result = document.getElementById("call-result");
  const alert = document.getElementById("call-error");
  const customers = new Map();
  // The moderator: the last provisioned expert, else whoever is in the provisioning form.
  let provisioned = null; // { accountId, expert: { email, firstName, lastName } }

  function formExpert() {
    const value = (id) => document.getElementById(id).value.trim();
    return { email: value("expert-email"), firstName: value("expert-first-name"), lastName: value("expert-last-name") };
  }

  function showExpert() {
    if (provisioned) {
      const name = displayName(provisioned.expert);
      expertLabel.replaceChildren(...(name ? [name, " "] : []), h("code", {}, provisioned.accountId));
      return;
    }
    const expert = formExpert();
    expertLabel.replaceChildren(expert.email
      ? `${displayName(expert)}, from the form (provisioned when the call starts)`
      : "none yet: provision an expert above, or enter their e-mail there");
  }

  function setBusy(busy) {
    for (const b of tbody.querySelectorAll("button")) b.disabled = busy;
    busy ? result.setAttribute("aria-busy", "true") : result.removeAttribute("aria-busy");
  }

  function render(call, customer) {
    const participantLinks = h("ul", { id: "participant-links", class: "links" },
      ...call.participantLinks.map((link) => {
        const name = displayName(link.participant) || "Guest";
        return h("li", {}, externalLink(link.url, `${name}'s link`), " ", validity(link));
      }));
    result.append(
      h("p", { class: "result-title" }, `Video call with ${displayName(customer)} is ready`),
      h("dl", {},
        h("dt", {}, "Meeting id"), h("dd", {}, h("code", { id: "meeting-id" }, call.meetingId)),
        h("dt", {}, "Expert"), h("dd", {}, h("code", {}, call.expertAccountId), " ",
          call.provisioned ? badge(call.provisioned.created ? "provisioned now" : "found", "neutral") : ""),
        h("dt", {}, "Moderator"), h("dd", {},
          externalLink(call.moderatorLink.url, "Join as moderator", { id: "moderator-link" }), " ",
          validity(call.moderatorLink)),
        h("dt", {}, "Customer"), h("dd", {}, participantLinks),
      ),
      h("p", { class: "muted note" }, "Whoever holds a link joins with it: send the customer only theirs."),
    );
    result.hidden = false;
  }

  async function start(customer) {
    const expert = provisioned ? { accountId: provisioned.accountId } : formExpert();
    result.hidden = true;
    result.replaceChildren();
    for (const row of tbody.querySelectorAll("tr")) row.classList.toggle("highlight", row.dataset.customerId === customer.id);
    if (!expert.accountId && !expert.email) {
      showError(alert, { code: "NO_EXPERT", message: "Provision an expert above, or enter the expert's e-mail there." });
      return;
    }
    showError(alert, null);
    setBusy(true);
    try {
      const call = await api("POST", "/api/video-calls", { expert, customerId: customer.id });
      render(call, customer);
      load();
      if (call.provisioned) {
        document.dispatchEvent(new CustomEvent("experts-changed", { detail: { accountId: call.expertAccountId, expert } }));
      }
    } catch (error) {
      showError(alert, error);
    } finally {
      setBusy(false);
    }
  }

  async function load() {
    try {
      const { items } = await api("GET", "/api/customers");
      showError(listAlert, null);
      customers.clear();
      const rows = items.map((c) => {
        customers.set(c.id, c);
        return h("tr", { "data-customer-id": c.id },
          // On narrow screens the e-mail shows under the name and the id column is hidden.
          h("td", {}, displayName(c) || "—", h("span", { class: "sub" }, ...breakableEmail(c.email ?? ""))),
          h("td", { class: "wide-only" }, c.email ?? "—"),
          h("td", { class: "wide-only" }, h("code", {}, c.id)),
          h("td", { class: "wide-only num" }, String(c.calls ?? 0)),
          h("td", { class: "actions" },
            h("button", { type: "button", class: "secondary", "data-customer-id": c.id },
              "Start video call", h("span", { class: "visually-hidden" }, ` with ${displayName(c)}`))),
        );
      });
      if (rows.length === 0) rows.push(h("tr", { class: "empty" }, h("td", { colspan: "5" }, "No customers.")));
      tbody.replaceChildren(...rows);
      count.textContent = `${items.length} customer${items.length === 1 ? "" : "s"}`;
      document.dispatchEvent(new CustomEvent("customers-loaded", { detail: { items } }));
    } catch (error) {
      showError(listAlert, error);
    }
  }

  tbody.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-customer-id]");
    const customer = button && customers.get(button.dataset.customerId);
    if (customer) start(customer);
  });
  document.addEventListener("experts-changed", (event) => {
    if (event.detail?.accountId) provisioned = { accountId: event.detail.accountId, expert: event.detail.expert ?? {} };
    showExpert();
  });
  document.getElementById("provision-form").addEventListener("input", showExpert);
  showExpert();
  load();
}

/** Bytes as "1.2 MB". */
function formatBytes(n) {
  if (n < 1000) return `${n} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let i = -1;
  do { n /= 1000; i++; } while (n >= 1000 && i < units.length - 1);
  return `${n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

/** A local date-time for an RFC 3339 string (the string itself if it does not parse). */
function localTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

/** The archive inspector: runs entirely in the browser (the SDK's web build under /sdk/). */
function setupArchive() {
  const drop = document.getElementById("archive-drop");
  const input = document.getElementById("archive-file");
  const progress = document.getElementById("archive-progress");
  const bar = document.getElementById("archive-progress-bar");
  const progressText = document.getElementById("archive-progress-text");
  const result = document.getElementById("archive-result");
  const alert = document.getElementById("archive-error");
  // The package's archive entry (its small `flexperto-sdk/archive` build when it has one), loaded once.
  const sdk = config.then((c) => import(c.archiveEntry));
  let run = 0;

  function section(title, id, ...children) {
    return h("section", { class: "archive-part", "aria-labelledby": `${id}-title` }, h("h3", { id: `${id}-title` }, title), ...children);
  }

  function renderFolders(inspector) {
    const parts = [];
    for (const [folder, entries] of Object.entries(inspector.folders)) {
      if (entries.length === 0 && folder === "other") continue;
      const rows = entries.map((e) => h("tr", {}, h("td", {}, h("code", {}, e.name)), h("td", { class: "num" }, e.isDirectory ? "folder" : formatBytes(e.size))));
      parts.push(h("div", { class: "folder", "data-folder": folder },
        h("h4", {}, `${folder}/ `, h("span", { class: "muted" }, `${entries.length} ${entries.length === 1 ? "entry" : "entries"}`)),
        h("table", {}, h("tbody", {}, ...(rows.length ? rows : [h("tr", { class: "empty" }, h("td", { colspan: "2" }, "empty"))])))));
    }
    return section("Folders and entries", "archive-folders", h("div", { id: "archive-folders", class: "folders" }, ...parts));
  }

  function renderMetadata(m) {
    if (!m) return section("Conference", "archive-metadata", h("p", { class: "muted" }, "No conference metadata in this archive."));
    const person = (p) => [p?.name, p?.email].filter(Boolean).join(" · ") || p?.accountId || "unknown";
    const dl = h("dl", { id: "archive-metadata", class: "facts" },
      h("dt", {}, "Conference"), h("dd", {}, h("code", { "data-field": "conferenceId" }, m.conferenceId)),
      h("dt", {}, "Tenant"), h("dd", {}, m.tenantId),
      h("dt", {}, "Time"), h("dd", {}, `${localTime(m.startedAt)} – ${m.endedAt ? localTime(m.endedAt) : "?"}`),
      h("dt", {}, "Moderator"), h("dd", { "data-field": "moderator" }, m.moderator ? person(m.moderator) : "none"),
      h("dt", {}, "Participants"), h("dd", {}, h("ul", { id: "archive-participants" },
        ...m.participants.map((p) => h("li", {}, person(p), p.permissions?.length ? h("span", { class: "muted" }, ` (${p.permissions.join(", ")})`) : "")))));
    return section("Conference", "archive-metadata", dl);
  }

  function renderChat(chat) {
    if (!chat) return section("Chat", "archive-chat", h("p", { class: "muted" }, "No chat history in this archive."));
    const items = chat.messages.map((msg) => h("li", {},
      h("span", { class: "muted" }, `${localTime(msg.sentAt)} `), h("strong", {}, msg.senderName ?? "guest"), ": ", msg.text));
    return section("Chat", "archive-chat", h("ol", { id: "archive-chat", class: "chat", tabindex: "0", "aria-labelledby": "archive-chat-title" }, ...items));
  }

  function renderFindings(findings) {
    const list = findings.length
      ? h("ul", { id: "archive-findings" }, ...findings.map((f) => h("li", {}, h("strong", { class: "code" }, f.code), ...(f.name ? [" ", h("code", {}, f.name)] : []))))
      : h("p", { id: "archive-findings", class: "muted" }, "No findings: the layout is as expected.");
    return section("Findings", "archive-findings", list);
  }

  async function inspect(file) {
    const mine = ++run;
    const { ArchiveChecksum, ArchiveInspector } = await sdk;
    showError(alert, null);
    result.hidden = false;
    result.replaceChildren(h("p", {}, h("strong", {}, file.name), ` · ${formatBytes(file.size)}`));
    const sha = h("code", { id: "archive-sha256", class: "digest" }, "computing…");
    result.append(h("p", {}, "SHA-256: ", sha));
    try {
      // The directory and the small JSON entries first (a few reads), the full hash after.
      const inspector = await ArchiveInspector.open(file);
      const [metadata, chat] = await Promise.all([
        inspector.metadata().catch((e) => ({ error: e })),
        inspector.chat().catch((e) => ({ error: e })),
      ]);
      if (mine !== run) return;
      result.firstChild.append(inspector.zip64 ? " · zip64" : "");
      result.append(renderFolders(inspector));
      for (const [value, render] of [[metadata, renderMetadata], [chat, renderChat]]) {
        if (value?.error) result.append(h("div", { class: "alert" }, h("strong", { class: "code" }, value.error.code ?? "ERROR"), ` ${value.error.message}`));
        else result.append(render(value));
      }
      result.append(renderFindings(inspector.findings));
    } catch (e) {
      if (mine === run) showError(alert, e);
    }
    // The checksum over the whole file, streamed, with progress.
    progress.hidden = false;
    bar.value = 0;
    let shown = 0;
    const sum = new ArchiveChecksum();
    try {
      const reader = file.stream().getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (mine !== run) return void reader.cancel();
        sum.update(value);
        const now = performance.now();
        if (now - shown > 100) {
          shown = now;
          bar.value = sum.bytesHashed / (file.size || 1);
          progressText.textContent = `hashing ${Math.floor(bar.value * 100)} %`;
        }
      }
      sha.textContent = sum.digestHex();
      sha.dataset.done = "true";
      bar.value = 1;
      progressText.textContent = `hashed ${formatBytes(sum.bytesHashed)}`;
    } catch (e) {
      if (mine === run) showError(alert, e);
    } finally {
      sum.free();
    }
  }

  input.addEventListener("change", () => input.files[0] && inspect(input.files[0]));
  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, (event) => {
      event.preventDefault();
      drop.classList.add("over");
    });
  }
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    const file = event.dataTransfer?.files?.[0];
    if (file) inspect(file);
  });
}

/** The server's configuration: backend, simulator, archive entry, webhook and claim availability. */
const config = api("GET", "/api/config");

function setupConfig() {
  const badgeEl = document.getElementById("backend");
  config.then((c) => {
    badgeEl.textContent = c.simulator ? "backend: simulator" : "backend: Flexperto tenant";
    document.getElementById("sim-section").hidden = !c.simulator;
    const sub = document.getElementById("inbox-subscription");
    sub.replaceChildren(c.webhooks.registered
      ? h("span", {}, "Subscribed to ", h("code", {}, c.webhooks.topic), " as ", h("code", {}, c.webhooks.subscriptionId),
        ", delivering to ", h("code", {}, c.webhooks.path), " (the secret path segment stays on the server).")
      : `No webhook subscription: ${c.webhooks.reason}`);
    const auto = document.getElementById("auto-claim");
    auto.checked = c.claim.autoClaim === true;
    auto.disabled = !c.claim.available;
    auto.addEventListener("change", async () => {
      auto.disabled = true;
      try {
        auto.checked = (await api("POST", "/api/archives/auto-claim", { on: auto.checked })).on;
      } catch (error) {
        auto.checked = !auto.checked;
        showError(document.getElementById("claim-error"), error);
      } finally {
        auto.disabled = false;
      }
    });
    if (!c.claim.available) {
      showError(document.getElementById("claim-unavailable"), { code: "CLAIM_WORKER_UNAVAILABLE", message: c.claim.reason });
    }
  }, (error) => {
    badgeEl.textContent = "backend unreachable";
    showError(document.getElementById("inbox-error"), error);
  });
}

/** Server-sent events from /api/events, re-dispatched on `document` as "live:<event>". */
function setupLive() {
  const status = document.getElementById("inbox-status");
  const source = new EventSource("/api/events");
  source.addEventListener("open", () => {
    status.textContent = "live";
    document.body.dataset.live = "true";
  });
  source.addEventListener("error", () => {
    status.textContent = "reconnecting…";
    delete document.body.dataset.live;
  });
  for (const name of ["inbox", "delivery", "archives", "archives-error", "claim-progress", "event-processed"]) {
    source.addEventListener(name, (e) => {
      let detail;
      try {
        detail = JSON.parse(e.data);
      } catch {
        return;
      }
      document.dispatchEvent(new CustomEvent(`live:${name}`, { detail }));
    });
  }
}

const RESULT_BADGE = { accepted: "new", duplicate: "neutral", refused: "warn", error: "warn" };

function setupInbox() {
  const tbody = document.querySelector("#inbox tbody");
  const alert = document.getElementById("inbox-error");
  const entries = [];

  function row(e) {
    const event = e.archiveId
      ? h("span", {}, h("code", {}, e.notificationId ?? "?"), " · archive ", h("code", {}, e.archiveId))
      : h("span", { class: "muted" }, "—");
    return h("tr", { "data-seq": String(e.seq), "data-result": e.result, "data-code": e.code },
      h("td", {}, h("time", { datetime: e.at }, TIME_SECONDS.format(new Date(e.at)))),
      h("td", {}, badge(e.result === "duplicate" ? "duplicate" : e.result, RESULT_BADGE[e.result] ?? "neutral"), " ", h("span", { class: "muted" }, String(e.status))),
      h("td", {}, h("strong", { class: "code" }, e.code), e.path ? h("span", { class: "muted" }, ` ${e.path}`) : ""),
      h("td", {}, event));
  }

  function render() {
    const rows = entries.slice().reverse().map(row);
    if (rows.length === 0) rows.push(h("tr", { class: "empty" }, h("td", { colspan: "4" }, "No deliveries yet.")));
    tbody.replaceChildren(...rows);
    labelCells(tbody);
  }

  document.addEventListener("live:inbox", (e) => {
    entries.splice(0, entries.length, ...e.detail.items);
    render();
  });
  document.addEventListener("live:delivery", (e) => {
    if (entries.some((x) => x.seq === e.detail.seq)) return;
    entries.push(e.detail);
    if (entries.length > 100) entries.shift();
    render();
  });
  for (const [id, kind] of [["forge-secret", "wrong-secret"], ["forge-payload", "bad-payload"]]) {
    const button = document.getElementById(id);
    button.addEventListener("click", async () => {
      button.disabled = true;
      showError(alert, null);
      try {
        await api("POST", "/api/webhooks/forged", { kind });
      } catch (error) {
        showError(alert, error);
      } finally {
        button.disabled = false;
      }
    });
  }
}

const TIME_SECONDS = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
const LEDGER_BADGE = { stored: "new", abandoned: "new", verified: "new", quarantined: "warn", failed: "warn" };
const STATUS_BADGE = { AVAILABLE: "new", ABANDONED: "neutral", EXPIRED: "neutral", FAILED: "warn" };

const LIFECYCLE = ["PROCESSING", "ARTIFACT_GATHERING_COMPLETE", "PACKING", "AVAILABLE", "ABANDONED", "EXPIRED"];

/** The lifecycle as a row of segments up to the current status (decoration: the badge says it). */
function lifecycle(status) {
  const at = LIFECYCLE.indexOf(status);
  if (at < 0) return "";
  return h("ol", { class: "lifecycle", "aria-hidden": "true" },
    ...LIFECYCLE.map((step, i) => h("li", { class: i < at ? "done" : i === at ? "current" : "", title: step })));
}

function setupArchives() {
  const tbody = document.querySelector("#archives tbody");
  const count = document.getElementById("archives-count");
  const alert = document.getElementById("archives-error");
  const claimAlert = document.getElementById("claim-error");
  const claimResult = document.getElementById("claim-result");
  const quarantine = document.getElementById("quarantine");
  const quarantineList = document.getElementById("quarantine-list");
  const claimAll = document.getElementById("claim-all");
  const bars = new Map(); // archiveId -> { bytes, totalBytes, state }
  const busy = new Set();
  let items = [];

  function progressCell(a) {
    const p = bars.get(a.id);
    if (!p || (a.ledger && ["stored", "abandoned", "quarantined", "failed"].includes(a.ledger.state) && !busy.has(a.id))) return "";
    const total = p.totalBytes || a.sizeBytes || 0;
    const label = `Claim progress of ${a.id}`;
    return h("div", { class: "claim-progress" },
      h("progress", { max: String(total || 1), value: String(Math.min(p.bytes, total || p.bytes)), "aria-label": label, "data-archive-id": a.id }),
      h("span", { class: "muted" }, total ? `${formatBytes(p.bytes)} of ${formatBytes(total)}` : formatBytes(p.bytes)));
  }

  function storedCell(a) {
    const l = a.ledger;
    if (!l) return h("span", { class: "muted" }, "not claimed");
    const parts = [];
    if (l.stored) {
      parts.push(h("div", {}, h("code", { class: "stored-file" }, l.stored.name), " ",
        h("span", { class: "muted" }, l.stored.bytes !== null ? formatBytes(l.stored.bytes) : "size unknown"),
        ...(l.stored.present ? [] : [" ", badge("file missing", "warn")])));
    }
    if (l.sha256CheckSum) {
      const verified = ["verified", "stored", "abandoned"].includes(l.state);
      parts.push(h("div", {}, verified ? badge("SHA-256 verified", "new") : badge("SHA-256 expected", "neutral"), " ",
        h("code", { class: "digest sha", title: l.sha256CheckSum }, l.sha256CheckSum)));
    }
    if (l.error) parts.push(h("div", { class: "ledger-error" }, h("strong", {}, "Reason: "), typeof l.error === "string" ? l.error : JSON.stringify(l.error)));
    return h("div", {}, ...parts);
  }

  function render() {
    const rows = items.map((a) => {
      const l = a.ledger;
      // Done claims (stored, abandoned) and those a person must look at (quarantined, failed) are not offered again.
      const claimable = a.downloadable && !(l && ["stored", "abandoned", "quarantined", "failed"].includes(l.state));
      return h("tr", { "data-archive-id": a.id, "data-status": a.status, "data-ledger-state": l?.state ?? "" },
        h("td", {}, h("code", {}, a.id), h("div", { class: "muted small" }, "conference ", h("code", {}, a.conferenceId ?? "?")),
          a.sizeBytes ? h("div", { class: "muted small" }, formatBytes(a.sizeBytes)) : ""),
        h("td", {}, badge(a.status, STATUS_BADGE[a.status] ?? "neutral"), lifecycle(a.status),
          a.error ? h("div", { class: "ledger-error" }, a.error) : "",
          a.expiresAt ? h("div", { class: "muted small" }, `expires ${localTime(a.expiresAt)}`) : ""),
        h("td", {}, l ? badge(l.state, LEDGER_BADGE[l.state] ?? "neutral") : h("span", { class: "muted" }, "—"),
          l?.attempts ? h("div", { class: "muted small" }, `${l.attempts} attempt${l.attempts === 1 ? "" : "s"}`) : "",
          progressCell(a)),
        h("td", {}, storedCell(a)),
        h("td", { class: "actions" }, claimable
          ? h("button", { type: "button", class: "secondary", "data-claim": a.id, ...(busy.has(a.id) ? { disabled: "" } : {}) },
            "Claim", h("span", { class: "visually-hidden" }, ` ${a.id}`))
          : ""));
    });
    if (rows.length === 0) rows.push(h("tr", { class: "empty" }, h("td", { colspan: "5" }, "No archives yet: end a conference.")));
    tbody.replaceChildren(...rows);
    labelCells(tbody);
    count.textContent = `${items.length} archive${items.length === 1 ? "" : "s"}`;
    const quarantined = items.filter((a) => a.ledger?.state === "quarantined");
    quarantine.hidden = quarantined.length === 0;
    quarantineList.replaceChildren(...quarantined.map((a) => h("li", { "data-archive-id": a.id },
      h("code", {}, a.id), ": ", typeof a.ledger.error === "string" ? a.ledger.error : JSON.stringify(a.ledger.error ?? "no reason recorded"))));
    document.dispatchEvent(new CustomEvent("archives-rendered", { detail: { items } }));
  }

  async function claim(id) {
    busy.add(id);
    bars.set(id, bars.get(id) ?? { bytes: 0 });
    render();
    showError(claimAlert, null);
    try {
      const { ledger } = await api("POST", "/api/archives/claim", { archiveId: id });
      claimResult.hidden = false;
      claimResult.replaceChildren(h("p", { class: "result-title" }, `Claim of ${id}: `, badge(ledger?.state ?? "?", LEDGER_BADGE[ledger?.state] ?? "neutral")));
    } catch (error) {
      bars.delete(id);
      showError(claimAlert, error);
    } finally {
      busy.delete(id);
      render();
    }
  }

  tbody.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-claim]");
    if (button) claim(button.dataset.claim);
  });
  claimAll.addEventListener("click", async () => {
    claimAll.disabled = true;
    showError(claimAlert, null);
    try {
      const counts = await api("POST", "/api/archives/sweep");
      claimResult.hidden = false;
      claimResult.replaceChildren(h("p", { class: "result-title" }, "Claimed all: ",
        `${counts.stored} stored, ${counts.quarantined} quarantined, ${counts.failed} failed, ${counts.skipped} skipped`));
    } catch (error) {
      showError(claimAlert, error);
    } finally {
      claimAll.disabled = false;
    }
  });
  document.addEventListener("live:archives", (e) => {
    showError(alert, null);
    items = e.detail.items;
    render();
  });
  document.addEventListener("live:archives-error", (e) => showError(alert, e.detail));
  document.addEventListener("live:claim-progress", (e) => {
    const p = e.detail;
    bars.set(p.archiveId, p);
    const bar = tbody.querySelector(`progress[data-archive-id="${CSS.escape(p.archiveId)}"]`);
    if (bar && p.totalBytes) {
      bar.max = p.totalBytes;
      bar.value = p.bytes;
      bar.nextSibling.textContent = `${formatBytes(p.bytes)} of ${formatBytes(p.totalBytes)}`;
    } else {
      render();
    }
  });
}

function setupSettings() {
  const form = document.getElementById("settings-form");
  const status = document.getElementById("settings-status");
  const alert = document.getElementById("settings-error");
  const boxes = [...form.querySelectorAll("input[type=checkbox]")];

  function show(settings) {
    for (const box of boxes) {
      box.checked = settings[box.name] === true;
      box.disabled = false;
    }
  }

  form.addEventListener("change", async (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement)) return;
    const wanted = box.checked;
    for (const b of boxes) b.disabled = true;
    showError(alert, null);
    status.textContent = "saving…";
    try {
      // Only the switch that changed: the SDK refuses turning one recording mode on while the other is on.
      show(await api("PATCH", "/api/settings", { [box.name]: wanted }));
      status.textContent = "saved";
    } catch (error) {
      box.checked = !wanted;
      status.textContent = "not changed";
      showError(alert, error);
      for (const b of boxes) b.disabled = false;
    }
  });
  api("GET", "/api/settings").then(show, (error) => showError(alert, error));
}

function setupApiKeys() {
  const form = document.getElementById("key-form");
  const button = document.getElementById("create-key");
  const secret = document.getElementById("key-secret");
  const tbody = document.querySelector("#keys tbody");
  const alert = document.getElementById("keys-error");

  async function refresh() {
    try {
      const { items } = await api("GET", "/api/api-keys");
      const rows = items.map((k) => h("tr", { "data-key-id": k.id },
        h("td", {}, k.name ?? "—", ...(k.own ? [" ", badge("this demo's key", "neutral")] : [])),
        h("td", { class: "wide-only" }, h("code", {}, k.id)),
        h("td", {}, k.expiresAt ? localTime(k.expiresAt) : "—"),
        h("td", {}, k.revokedAt ? badge("revoked", "warn") : badge("active", "new")),
        h("td", { class: "actions" }, k.revokedAt || k.own ? ""
          : h("button", { type: "button", class: "secondary", "data-revoke": k.id }, "Revoke", h("span", { class: "visually-hidden" }, ` ${k.name ?? k.id}`)))));
      if (rows.length === 0) rows.push(h("tr", { class: "empty" }, h("td", { colspan: "5" }, "No keys.")));
      tbody.replaceChildren(...rows);
      labelCells(tbody);
    } catch (error) {
      showError(alert, error);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    showError(alert, null);
    secret.hidden = true;
    try {
      const created = await api("POST", "/api/api-keys", { name: document.getElementById("key-name").value.trim() });
      secret.replaceChildren(
        h("p", { class: "result-title" }, `Key "${created.name ?? created.id}" created`),
        h("p", {}, "Store this secret now: it is shown only this once."),
        h("label", { for: "new-key-secret" }, "Secret"),
        h("textarea", { id: "new-key-secret", readonly: "", rows: "3", spellcheck: "false" }, created.token),
        h("button", { type: "button", class: "secondary", id: "dismiss-secret" }, "I stored it: hide the secret"));
      secret.hidden = false;
      form.reset();
      await refresh();
    } catch (error) {
      showError(alert, error);
    } finally {
      button.disabled = false;
    }
  });
  secret.addEventListener("click", (event) => {
    if (event.target.id !== "dismiss-secret") return;
    secret.replaceChildren(); // gone from the page for good
    secret.hidden = true;
  });
  tbody.addEventListener("click", async (event) => {
    const b = event.target.closest("button[data-revoke]");
    if (!b) return;
    b.disabled = true;
    showError(alert, null);
    try {
      await api("POST", "/api/api-keys/revoke", { id: b.dataset.revoke });
      await refresh();
    } catch (error) {
      showError(alert, error);
      b.disabled = false;
    }
  });
  refresh();
}

function setupSimulator() {
  const result = document.getElementById("sim-result");
  const alert = document.getElementById("sim-error");
  const customers = document.getElementById("sim-customer");
  const archives = document.getElementById("sim-duplicate-archive");

  async function run(button, path, body, describe) {
    button.disabled = true;
    showError(alert, null);
    try {
      const out = await api("POST", path, body);
      result.hidden = false;
      result.replaceChildren(h("p", { class: "result-title" }, describe(out)));
    } catch (error) {
      showError(alert, error);
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener("customers-loaded", (e) => {
    customers.replaceChildren(...e.detail.items.map((c) => h("option", { value: c.id }, displayName(c))));
  });
  document.addEventListener("archives-rendered", (e) => {
    const chosen = archives.value;
    const options = e.detail.items.filter((a) => a.downloadable).map((a) => h("option", { value: a.id }, `${a.id} (${a.status})`));
    if (options.length === 0) options.push(h("option", { value: "" }, "no available archive yet"));
    archives.replaceChildren(...options);
    if ([...archives.options].some((o) => o.value === chosen)) archives.value = chosen;
  });
  const conference = document.getElementById("sim-conference-form");
  conference.addEventListener("submit", (event) => {
    event.preventDefault();
    run(document.getElementById("sim-end-conference"), "/api/sim/conference",
      { customerId: customers.value, size: document.getElementById("sim-size").value },
      (out) => `Conference ${out.conferenceId} ended: archive ${out.archiveId} is being packed.`);
  });
  document.getElementById("sim-fail-archive").addEventListener("click", (event) => {
    run(event.currentTarget, "/api/sim/conference", { customerId: customers.value, fail: true },
      (out) => `Conference ${out.conferenceId} ended: archive ${out.archiveId} will fail.`);
  });
  document.getElementById("sim-fault-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const kind = document.getElementById("sim-fault-kind");
    run(document.getElementById("sim-inject-fault"), "/api/sim/storage-fault",
      { kind: kind.value, times: Number(document.getElementById("sim-fault-times").value) },
      (out) => `Storage fault "${kind.selectedOptions[0].textContent}" set for the next ${out.times} download${out.times === 1 ? "" : "s"}.`);
  });
  document.getElementById("sim-clock-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const select = document.getElementById("sim-clock-seconds");
    run(document.getElementById("sim-move-clock"), "/api/sim/clock", { seconds: Number(select.value) }, (out) => {
      document.getElementById("sim-clock").textContent = `Platform time: ${localTime(out.now)}`;
      return `Clock moved by ${select.selectedOptions[0].textContent}.`;
    });
  });
  document.getElementById("sim-duplicate-form").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!archives.value) return showError(alert, { code: "NO_ARCHIVE", message: "No available archive yet: end a conference first." });
    run(document.getElementById("sim-duplicate"), "/api/sim/duplicate-webhook", { archiveId: archives.value },
      (out) => `Notification ${out.notificationIds[0]} sent ${out.deliveries} times.`);
  });
}

setupConfig();
setupProvisioning();
setupExperts();
setupVideoCalls();
setupLive();
setupInbox();
setupArchives();
setupSettings();
setupApiKeys();
setupSimulator();
setupArchive();
