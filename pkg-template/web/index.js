// Browser (and bundler) entry: loads the wasm next to this file before exporting the API.
import init from "./flexperto_sdk.js";

export * from "./flexperto_sdk.js";

await init({ module_or_path: new URL("./flexperto_sdk_bg.wasm", import.meta.url) });
