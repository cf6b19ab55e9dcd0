// CPU cost of the SDK per call, without a network, against stripe-node in the same process: the
// SDK's listUsers and stripe's customers.list, each over an injected fetch that answers a canned
// Response from memory (stripe through Stripe.createFetchHttpClient), each minus the same canned
// Response read with json(). Prints microseconds per call and the ratio of the SDK's own work to
// stripe's (target at most 0.8x). Alternating rounds, medians; never asserts timings.
//
// It also prints what issue 10 item 1 alone costs: the platform objects every call must create
// (a request built by gloo-net's RequestBuilder and its own timeout signal), made here in plain
// JS the way gloo-net and src/transport/fetch.rs make them, without the SDK, as a ratio of
// stripe's own work: the part of the 0.8x target that item 1 leaves to the SDK's own code.
import { FlexpertoClient } from "flexperto-sdk";

import { baseUrl, canned, cannedStripe, customerBody, key, perCall as timed, userBody } from "./canned.mjs";

const N = Number(process.env.BENCH_N ?? 20000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const client = new FlexpertoClient({ baseUrl, apiKey: key, fetch: canned(userBody) });
// The same client with request hooks that do nothing: what hooks cost when set. The client above
// has none, so its figure is the per-call cost every user pays; the ratio of the two bounds what
// the hook machinery adds (issue 13: no measurable CPU when none is set).
let hookCalls = 0;
const hooked = new FlexpertoClient({ baseUrl, apiKey: key, fetch: canned(userBody), onRequest: () => void hookCalls++, onResponse: () => void hookCalls++ });
const stripe = cannedStripe();

// The platform objects of one call, as the SDK makes them (src/transport/fetch.rs) through
// gloo-net 0.7 (`RequestBuilder::new`, `.method`, `.redirect`, `.header`, `build()`), in the same
// order; what fetch and the Response cost is in the canned baseline above.
const abortProto = AbortController.prototype.abort;
const userAgent = client.userAgent;
const builtUrl = "http://127.0.0.1:1/api/v2/users/users?limit=1&role=expert";
// The SDK's own headers, made once per client (src/transport/fetch.rs) and handed to each builder.
const sdkHeaders = new Headers({ accept: "application/json", "api-key": key, "user-agent": userAgent });
function platformObjects() {
  // fetch.rs: the request's own controller, its timer (the caller's signal is not set here).
  const controller = new AbortController();
  const timer = setTimeout(abortProto.bind(controller, undefined), 30000);
  // RequestBuilder::new: a RequestInit, a Headers (then replaced by the client's) and a
  // URLSearchParams.
  const init = {};
  new Headers();
  const query = new URLSearchParams();
  init.method = "GET";
  init.redirect = "manual";
  // build(): a Request to resolve the URL, a URL to merge the query, then the Request itself.
  const probe = new Request(builtUrl);
  const url = new URL(probe.url);
  const search = url.search;
  const extra = query.toString();
  url.search = extra ? `${search}&${extra}` : search;
  init.headers = sdkHeaders;
  const request = new Request(url.toString(), init);
  // fetch(request, { signal }), then the answer: the timer is cleared.
  const fetchInit = { signal: controller.signal };
  clearTimeout(timer);
  return [request, fetchInit];
}
const perCall = (fn) => timed(fn, N);
const platformPerCall = () => perCall(platformObjects);
const rawUsers = () => canned(userBody)().then((r) => r.json());
const rawCustomers = () => canned(customerBody)().then((r) => r.json());
const sdk = () => client.listUsers({ limit: 1, role: "expert" });
const str = () => stripe.customers.list({ limit: 1, email: "bench@example.invalid" });
const sdkHooked = () => hooked.listUsers({ limit: 1, role: "expert" });
if ((await sdk()).items[0].id !== "usr_0001" || (await str()).data[0].id !== "cus_0001") throw new Error("canned answers not read");
for (const f of [rawUsers, rawCustomers, sdk, str, sdkHooked]) await perCall(f); // warm-up
await platformPerCall();
if (hookCalls === 0) throw new Error("the hooks were not called");
const rounds = [];
for (let r = 0; r < ROUNDS; r++) rounds.push([await perCall(rawUsers), await perCall(sdk), await perCall(rawCustomers), await perCall(str), await perCall(sdkHooked), await platformPerCall()]);
const median = (i) => rounds.map((x) => x[i]).sort((a, b) => a - b)[Math.floor(rounds.length / 2)];
const [ru, s, rc, st, sh, pf] = [0, 1, 2, 3, 4, 5].map(median);
const ownSdk = s - ru;
const ownStripe = st - rc;
console.log(`canned Response + json(): ${ru.toFixed(1)} us/call (users), ${rc.toFixed(1)} us/call (customers)`);
console.log(`sdk listUsers: ${s.toFixed(1)} us/call, own work ${ownSdk.toFixed(1)} us | stripe customers.list: ${st.toFixed(1)} us/call, own work ${ownStripe.toFixed(1)} us`);
console.log(`SDK's own CPU per call / stripe-node's: ${(ownSdk / ownStripe).toFixed(2)}x (target <= 0.8x)`);
console.log(`issue 10 item 1's platform objects alone (plain JS, made as gloo-net makes them: two Requests, URL, Headers, URLSearchParams, the request's AbortController and timer): ${pf.toFixed(1)} us/call, ${(pf / ownStripe).toFixed(2)}x stripe's own work`);
console.log(`left to the SDK's own code within 0.8x: ${(0.8 * ownStripe - pf).toFixed(1)} us/call; it spends ${(ownSdk - pf).toFixed(1)} us/call beyond those objects`);
console.log(`hooks: listUsers with no-op onRequest/onResponse ${sh.toFixed(1)} us/call, own work ${(sh - ru).toFixed(1)} us; without hooks / with: ${(ownSdk / (sh - ru)).toFixed(2)}x (none set costs at most what set hooks add)`);
