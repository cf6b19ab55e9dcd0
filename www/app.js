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
      document.dispatchEvent(new CustomEvent("experts-changed", { detail: { accountId } }));
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

setupProvisioning();
setupExperts();
