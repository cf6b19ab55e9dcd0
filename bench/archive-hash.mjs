// SHA-256 throughput in Node: ArchiveChecksum (the package's wasm, sha2 with simd128) vs
// hash-wasm and node:crypto, 256 MiB in 1 MiB chunks, in one process (target: the wasm hasher
// >= 1.15x hash-wasm; node:crypto is what verifyStream uses in Node). Chromium: archive-hash-browser.mjs.
import { createHash } from "node:crypto";

import { ArchiveChecksum } from "flexperto-sdk";
import { createSHA256 } from "hash-wasm";
import { measure, report } from "./archive-hash-core.mjs";

const results = await measure({
  "ArchiveChecksum (wasm)": () => {
    const h = new ArchiveChecksum();
    return { update: (c) => h.update(c), hex: () => { const d = h.digestHex(); h.free(); return d; } };
  },
  "hash-wasm": async () => {
    const h = await createSHA256();
    h.init();
    return { update: (c) => h.update(c), hex: () => h.digest("hex") };
  },
  "node:crypto": () => {
    const h = createHash("sha256");
    return { update: (c) => h.update(c), hex: () => h.digest("hex") };
  },
});
console.log(report("node", results));
