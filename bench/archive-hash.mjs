// SHA-256 throughput in Node: ArchiveChecksum (the package's wasm, sha2 with simd128) vs
// hash-wasm and node:crypto, 256 MiB in 1 MiB chunks, in one process (target: the wasm hasher
// >= 1.15x hash-wasm; node:crypto is what verifyStream uses in Node). Chromium: archive-hash-browser.mjs.
import { ArchiveChecksum } from "flexperto-sdk";
import { runNode } from "./archive-hash-node.mjs";

await runNode("ArchiveChecksum (wasm)", ArchiveChecksum);
