export { isDownloadable, isFlexpertoError, isTerminal } from "./flexperto_sdk.js";
export type * from "./flexperto_sdk.js";
export * from "./archive.js";
export { ArchiveChecksum } from "./archive.js";
