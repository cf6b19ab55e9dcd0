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
      const { accountId, created, confirmed } = await api("POST", "/api/experts", expert);
      result.dataset.created = String(created);
      result.append(
        h("p", { class: "result-title" }, created ? "Created a new account" : "Found the existing account"),
        h("dl", {},
          h("dt", {}, "Account id"), h("dd", {}, h("code", { id: "account-id" }, accountId)),
          h("dt", {}, "Account"), h("dd", {}, badge(created ? "created" : "found", created ? "new" : "neutral")),
          h("dt", {}, "E-mail"), h("dd", {}, confirmed ? badge("confirmed now", "new") : badge("already confirmed", "neutral")),
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
        h("td", {}, x.emailConfirmed ? badge("yes", "new") : badge("no", "warn")),
      ));
      if (rows.length === 0) rows.push(h("tr", { class: "empty" }, h("td", { colspan: "4" }, "No experts yet.")));
      tbody.replaceChildren(...rows);
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
      const { email, firstName, lastName } = customer;
      const call = await api("POST", "/api/video-calls", { expert, customer: { email, firstName, lastName } });
      render(call, customer);
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
          h("td", { class: "actions" },
            h("button", { type: "button", class: "secondary", "data-customer-id": c.id },
              "Start video call", h("span", { class: "visually-hidden" }, ` with ${displayName(c)}`))),
        );
      });
      if (rows.length === 0) rows.push(h("tr", { class: "empty" }, h("td", { colspan: "4" }, "No customers.")));
      tbody.replaceChildren(...rows);
      count.textContent = `${items.length} customer${items.length === 1 ? "" : "s"}`;
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
  const sdk = import("/sdk/index.js"); // loaded once, in the background
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
    return section("Chat", "archive-chat", h("ol", { id: "archive-chat", class: "chat" }, ...items));
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

setupProvisioning();
setupExperts();
setupVideoCalls();
setupArchive();
