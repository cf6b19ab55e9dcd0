// The same SHA-256 throughput benchmark as archive-hash.mjs, for the `flexperto-sdk/archive`
// entry's ArchiveChecksum (its own wasm, crates/archive-wasm) vs hash-wasm and node:crypto,
// 256 MiB in 1 MiB chunks, in one process (target: >= 1.15x hash-wasm, as for the main entry).
// A process of its own, as archive-hash.mjs: only the entry under test and hash-wasm are loaded.
import { ArchiveChecksum } from "flexperto-sdk/archive";
import { runNode } from "./archive-hash-node.mjs";

await runNode("ArchiveChecksum (archive)", ArchiveChecksum);
