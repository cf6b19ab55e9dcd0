// The hand-written JS reaches into the wasm core through a few members that wasm-bindgen can only
// put on the public classes (a method, a getter, a static). They are untyped and not part of the
// API: each install function takes them off the class, keeping them for itself.

/** Removes member `name` of `target` and returns its property descriptor. */
export function takeInternal(target, name) {
  const descriptor = Object.getOwnPropertyDescriptor(target, name);
  if (descriptor === undefined) throw new Error(`flexperto-sdk: internal member ${name} is missing (mismatched build)`);
  delete target[name];
  return descriptor;
}
