// Keeps the Node build's exports to one result each, for its cold start in Node 20.
//
// rustc (1.82 and later) marks its wasm as using `multivalue` (target_features section), and
// wasm-bindgen then returns strings, slices and `Result`s through multi-value exports. V8 11.3
// (Node 20) has no generic JS-to-wasm wrapper for a function with more than one result: it compiles
// one wrapper per such export signature (about 30 here) while building the module, so
// `new WebAssembly.Module` took 5.9 ms instead of 3.0 ms (medians of 21 fresh processes,
// 2026-11-30, bench/README.md). Without the feature mark, wasm-bindgen returns them through its
// return pointer in memory, as it did before rustc set that mark; the code does not use multi-value
// itself. Cost: 0.6 KB gzip of wasm and 0.4 KB of glue.
//   node scripts/single-value.mjs drop WASM    removes `multivalue` from WASM's target_features (in
//                                               place; fails if it is not there)
//   node scripts/single-value.mjs check WASM   fails, naming them, if exports of WASM return more
//                                               than one value
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const MAGIC = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

/** A reader of unsigned LEB128 numbers, names and bytes from `bytes`, starting at `pos`. */
function reader(bytes, pos = 0) {
  const r = {
    pos,
    byte() {
      if (r.pos >= bytes.length) throw new Error("wasm: unexpected end");
      return bytes[r.pos++];
    },
    u32() {
      let result = 0;
      for (let shift = 0; shift < 35; shift += 7) {
        const b = r.byte();
        result += (b & 0x7f) * 2 ** shift;
        if ((b & 0x80) === 0) return result;
      }
      throw new Error("wasm: LEB128 number too long");
    },
    name() {
      const len = r.u32();
      const s = Buffer.from(bytes.subarray(r.pos, r.pos + len)).toString("utf8");
      r.pos += len;
      return s;
    },
  };
  return r;
}

function leb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** The sections of a wasm binary: `{ id, start, end }` of each section's contents. */
function sections(bytes) {
  if (MAGIC.some((b, i) => bytes[i] !== b)) throw new Error("not a wasm binary (version 1)");
  const r = reader(bytes, 8);
  const out = [];
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    out.push({ id, start: r.pos, end: r.pos + size });
    r.pos += size;
  }
  if (r.pos !== bytes.length) throw new Error("wasm: a section runs past the end");
  return out;
}

/** Skips a value type (one byte, or a reference type with its heap type). */
function valueType(r) {
  const t = r.byte();
  if (t === 0x63 || t === 0x64) r.u32(); // (ref null? heaptype): abstract heap types are one byte
  return t;
}

function limits(r) {
  const flags = r.byte();
  r.u32();
  if (flags & 1) r.u32();
}

/** The names of the exported functions of `bytes` that return more than one value. */
export function multiValueExports(bytes) {
  const results = []; // per type index: number of results
  const funcTypes = []; // per function index (imports first): type index
  const exports = [];
  for (const s of sections(bytes)) {
    const r = reader(bytes, s.start);
    if (s.id === 1) {
      for (let n = r.u32(); n > 0; n--) {
        const form = r.byte();
        if (form !== 0x60) throw new Error(`wasm: type form 0x${form.toString(16)} is not read here`);
        for (let p = r.u32(); p > 0; p--) valueType(r);
        const count = r.u32();
        for (let p = count; p > 0; p--) valueType(r);
        results.push(count);
      }
    } else if (s.id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        r.name();
        r.name();
        const kind = r.byte();
        if (kind === 0) funcTypes.push(r.u32());
        else if (kind === 1) (valueType(r), limits(r));
        else if (kind === 2) limits(r);
        else if (kind === 3) (valueType(r), r.byte());
        else if (kind === 4) (r.byte(), r.u32());
        else throw new Error(`wasm: import kind ${kind} is not read here`);
      }
    } else if (s.id === 3) {
      for (let n = r.u32(); n > 0; n--) funcTypes.push(r.u32());
    } else if (s.id === 7) {
      for (let n = r.u32(); n > 0; n--) {
        const name = r.name();
        const kind = r.byte();
        const index = r.u32();
        if (kind === 0) exports.push([name, index]);
      }
    }
  }
  return exports.filter(([, f]) => results[funcTypes[f]] > 1).map(([name]) => name);
}

/**
 * `bytes` with `multivalue` removed from its target_features custom section (the features the
 * linker recorded; wasm-bindgen reads it). Throws if the section or the feature is missing.
 */
export function dropMultivalue(bytes) {
  const parts = [bytes.subarray(0, 8)];
  let dropped = false;
  for (const s of sections(bytes)) {
    const r = reader(bytes, s.start);
    const header = [s.id, ...leb(s.end - s.start)];
    if (s.id === 0 && r.name() === "target_features") {
      const kept = [];
      for (let n = r.u32(); n > 0; n--) {
        const from = r.pos;
        r.byte(); // prefix: '+' used, '-' disallowed, '=' required
        const feature = r.name();
        if (feature === "multivalue") dropped = true;
        else kept.push(bytes.subarray(from, r.pos));
      }
      const name = Buffer.from("target_features");
      const body = Buffer.concat([Buffer.from([...leb(name.length)]), name, Buffer.from(leb(kept.length)), ...kept]);
      parts.push(Buffer.from([0, ...leb(body.length)]), body);
    } else {
      parts.push(Buffer.from(header), bytes.subarray(s.start, s.end));
    }
  }
  if (!dropped) throw new Error("no multivalue feature in target_features (has the toolchain changed?)");
  return Buffer.concat(parts);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [command, file] = process.argv.slice(2);
  if (command === "drop" && file) {
    writeFileSync(file, dropMultivalue(readFileSync(file)));
  } else if (command === "check" && file) {
    const names = multiValueExports(readFileSync(file));
    if (names.length > 0) throw new Error(`${file}: exports with more than one result (slower cold start in Node 20): ${names.join(", ")}`);
  } else {
    throw new Error("usage: node scripts/single-value.mjs drop|check WASM");
  }
}
