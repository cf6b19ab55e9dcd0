// A generated corpus of callback URLs: Node's WHATWG `new URL()` and the installed package's
// validateCallbackUrl must agree on the host of every one (the host the SDK checked is on its
// result, or on the WebhookError it threw), and refuse the same URLs as unparseable. The hosts
// cover every IPv4 numeric form (1 to 4 parts, decimal, octal, hex, overflow), digits from other
// Unicode blocks, percent-encoding, brackets, ports and IPv6 forms, and URLs the SDK refuses after
// parsing (white space, backslashes, other schemes, credentials), whose host it still names.
import assert from "node:assert/strict";
import { test } from "node:test";

import { validateCallbackUrl } from "flexperto-sdk";
import { corpus, parsedRule } from "./url-corpus-cases.mjs";

test("Node's URL and validateCallbackUrl agree on the host of every URL in the corpus", () => {
  const urls = corpus();
  assert.ok(urls.length > 5000, `${urls.length} URLs`);
  const counts = { parsed: 0, refusedByBoth: 0, accepted: 0, special: 0, otherScheme: 0 };
  const disagreements = [];
  for (const url of urls) {
    let nodeHost = null;
    try {
      nodeHost = new URL(url).hostname;
    } catch {
      // refused by Node
    }
    let sdkHost;
    let code = "OK";
    try {
      const checked = validateCallbackUrl(url);
      sdkHost = checked.host;
    } catch (e) {
      assert.equal(e.name, "WebhookError", `${url}: ${e}`);
      code = e.code;
      sdkHost = e.host ?? null;
    }
    if (nodeHost === null) {
      if (code !== "INVALID_URL" || sdkHost !== null) disagreements.push({ url, nodeHost, sdkHost, code });
      else counts.refusedByBoth++;
      continue;
    }
    counts.parsed++;
    if (code === "OK") counts.accepted++;
    if (code === "SPECIAL_PURPOSE_ADDRESS") counts.special++;
    // Every URL Node parses has its host named, also when the SDK refuses it by its own
    // spelling rules (white space, backslashes, a missing //, an empty @) or for its scheme.
    if (sdkHost !== nodeHost) disagreements.push({ url, nodeHost, sdkHost, code });
    // The scheme and credential rules are decided on the parsed values, before the SDK's own.
    const rule = parsedRule(url);
    if (rule !== null && code !== rule) disagreements.push({ url, nodeHost, code, why: `${rule} by the parsed values` });
    if (rule === "NOT_HTTPS") counts.otherScheme++;
    // The decision on the parsed host: a few blocks held against the SDK as an outside check
    // (the full registries are the Rust table test's). The address rules come after the scheme
    // and credential rules and before the SDK's own spelling rules; a public address passes
    // when the URL is written plainly.
    const plain = /^https:\/\/[^@/]*\//i.test(url) && !/[\u0000-\u0020\\\u007f]/.test(url);
    const m = rule === null && /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(nodeHost);
    if (m) {
      const [a, b] = [Number(m[1]), Number(m[2])];
      const special = a === 127 || a === 10 || a === 0 || (a === 192 && b === 168) || (a === 169 && b === 254) || a >= 224;
      if (special && code !== "SPECIAL_PURPOSE_ADDRESS") disagreements.push({ url, nodeHost, code, why: "special address not refused" });
      if (nodeHost === "8.8.8.8" && plain && code !== "OK") disagreements.push({ url, nodeHost, code, why: "public address refused" });
    }
    if (rule === null && /^\[::ffff:/.test(nodeHost) && code !== "SPECIAL_PURPOSE_ADDRESS") {
      disagreements.push({ url, nodeHost, code, why: "IPv4-mapped not refused" });
    }
  }
  assert.deepEqual(disagreements.slice(0, 20), [], `${disagreements.length} of ${urls.length} disagree`);
  // The corpus exercises both sides of each decision.
  assert.ok(
    counts.refusedByBoth > 500 && counts.accepted > 200 && counts.special > 1000 && counts.otherScheme > 500,
    JSON.stringify(counts),
  );
  console.log(`${urls.length} URLs: ${JSON.stringify(counts)}`);
});
