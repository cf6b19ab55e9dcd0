// FlexpertoClient as the package exports it: the wasm client composed with the methods that
// stream archives, archives() and downloadArchive() (pkg-template/web/archive-client.js; their
// signatures are declared with the wasm API's FlexpertoClient).
import { FlexpertoClient as WasmFlexpertoClient } from "./flexperto_sdk.js";

/** The Flexperto API client. */
export declare class FlexpertoClient extends WasmFlexpertoClient {}
