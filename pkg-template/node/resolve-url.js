"use strict";
// DNS for callback URL checks in Node. This file only asks the resolver; which addresses are
// allowed is decided in the wasm core (validateCallbackUrl with { resolve: true },
// createWebhookSubscription), which calls resolveAll through setCallbackResolver.
const dns = require("node:dns");

/**
 * Every address `hostname` resolves to, from `lookup` or Node's `dns.lookup`. A `lookup` may
 * answer through its callback, as `dns.lookup` does, or return a Promise, as
 * `dns.promises.lookup` does.
 *
 * @param {string} hostname
 * @param {Function | undefined} lookup
 * @returns {Promise<unknown>} what the resolver gave: `[{ address, family }]`, strings, or one address
 */
function resolveAll(hostname, lookup) {
  const resolver = lookup ?? dns.lookup;
  return new Promise((resolve, reject) => {
    let settled = false;
    /** @param {unknown} err @param {unknown} [addresses] */
    const done = (err, addresses) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve(addresses);
    };
    let returned;
    try {
      returned = resolver(hostname, { all: true }, done);
    } catch (e) {
      done(e ?? new Error("lookup threw"));
      return;
    }
    if (returned && typeof returned.then === "function") {
      returned.then(
        (/** @type {unknown} */ addresses) => done(null, addresses),
        (/** @type {unknown} */ e) => done(e ?? new Error("lookup rejected")),
      );
    }
  });
}

module.exports = { resolveAll };
