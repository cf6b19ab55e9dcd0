// The same SHA-256 throughput benchmark as archive-hash.mjs, for the `flexperto-sdk/archive`
// entry's ArchiveChecksum (its own wasm, crates/archive-wasm) vs hash-wasm and node:crypto,
// 256 MiB in 1 MiB chunks, in one process (target: >= 1.15x hash-wasm, as for the main entry).
// A process of its own, as archive-hash.mjs: only the entry under test and hash-wasm are loaded.
import { createHash } from "node:crypto";

import { ArchiveChecksum } from "flexperto-sdk/archive";
import { createSHA256 } from "hash-wasm";
import { measure, report } from "./archive-hash-core.mjs";

const results = await measure({
  "ArchiveChecksum (archive)": () => {
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
