// Helpers the hand-written modules share (the browser build's and, converted to CommonJS, the
// Node build's). The hand-written JS reaches into the wasm core through a few members that
// wasm-bindgen can only put on the public classes (a method, a getter, a static). They are
// untyped and not part of the API: each install function takes them off the class with
// takeInternal, keeping them for itself.

/** Removes member `name` of `target` and returns its property descriptor. */
export function takeInternal(target, name) {
  const descriptor = Object.getOwnPropertyDescriptor(target, name);
  if (descriptor === undefined) throw new Error(`flexperto-sdk: internal member ${name} is missing (mismatched build)`);
  delete target[name];
  return descriptor;
}

/** Resolves after `ms`; rejects with the signal's reason as soon as `signal` (optional) aborts. */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
