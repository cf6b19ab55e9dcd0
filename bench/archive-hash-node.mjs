// The Node side of the SHA-256 throughput benchmarks (archive-hash.mjs for the package's main
// entry, archive-hash-entry.mjs for `flexperto-sdk/archive`): the given ArchiveChecksum class vs
// hash-wasm and node:crypto, 256 MiB in 1 MiB chunks, in one process (archive-hash-core.mjs).
import { createHash } from "node:crypto";

import { createSHA256 } from "hash-wasm";
import { measure, report } from "./archive-hash-core.mjs";

/** Measures `ArchiveChecksum` under `label` beside the two baselines and prints the report. */
export async function runNode(label, ArchiveChecksum) {
  const results = await measure({
    [label]: () => {
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
}
