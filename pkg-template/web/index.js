// Browser (and bundler) entry: loads the wasm next to this file before exporting the API.
import init, * as sdk from "./flexperto_sdk.js";
import { installDeliveryApi } from "./delivery.js";
import { installArchiveApi } from "./archive.js";
import { installArchiveClientApi } from "./archive-client.js";
import { installPaginationApi } from "./paginate.js";

export * from "./flexperto_sdk.js";
export { WebhookEvent } from "./delivery.js";
export { MemorySeenStore, isTopic } from "./webhook-flow.js";
export { createWebRequestHandler } from "./webhook-fetch.js";

await init({ module_or_path: new URL("./flexperto_sdk_bg.wasm", import.meta.url) });
installDeliveryApi(sdk.WebhookVerifier);
export const { ArchiveInspector } = installArchiveApi(sdk);
installArchiveClientApi(sdk.FlexpertoClient);
installPaginationApi(sdk.FlexpertoClient);
