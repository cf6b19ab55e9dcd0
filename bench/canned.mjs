// What bench/sdk-overhead.mjs and bench/call-floor.mjs both measure against: one page of users as
// the platform answers it and one page of customers as Stripe does, a fetch that answers either
// from memory, an API key the SDK accepts, and stripe-node over that fetch.
import Stripe from "stripe";

export const userBody = JSON.stringify({
  items: [{ id: "usr_0001", email: "bench@example.invalid", role: "expert", firstName: "Bench", lastName: "Mark", emailConfirmed: true, createdAt: "2026-11-28T20:00:00Z" }],
  total: 1,
  limit: 1,
  offset: 0,
});
export const customerBody = JSON.stringify({
  object: "list",
  url: "/v1/customers",
  has_more: false,
  data: [{ id: "cus_0001", object: "customer", email: "bench@example.invalid", name: "Bench Mark", created: 1764360000, livemode: false, metadata: {} }],
});
/** A fetch that answers `body` as a 200 JSON Response, whatever it is asked. */
export const canned = (body) => async () => new Response(body, { status: 200, headers: { "content-type": "application/json", "request-id": "req_1" } });
export const key = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjIwMDAwMDAwMDB9.c2ln";
export const baseUrl = "http://127.0.0.1:1";
/** stripe-node over the canned customers page, no retries, no telemetry. */
export const cannedStripe = () => new Stripe("sk_test_bench", { httpClient: Stripe.createFetchHttpClient(canned(customerBody)), maxNetworkRetries: 0, telemetry: false });

/** Microseconds per call of `n` sequential awaited calls of `fn`. */
export async function perCall(fn, n) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return ((performance.now() - t0) * 1000) / n;
}
