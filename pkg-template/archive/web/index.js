// `flexperto-sdk/archive` in browsers: ArchiveChecksum and ArchiveInspector on their own small
// wasm (crates/archive-wasm), for a page that only checks and inspects archives.
import init from "./flexperto_sdk.js";
import { makeArchiveApi } from "./archive.js";
import { inflateWithStreams } from "./inflate.js";

export { isDownloadable, isFlexpertoError, isTerminal } from "./flexperto_sdk.js";

await init({ module_or_path: new URL("./flexperto_sdk_bg.wasm", import.meta.url) });
export const { ArchiveChecksum, ArchiveInspector } = makeArchiveApi({ inflateRaw: inflateWithStreams });
