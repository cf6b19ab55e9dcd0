export * from "./flexperto_sdk.js";
export * from "./archive.js";
