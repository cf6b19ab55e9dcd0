export * from "./flexperto_sdk.js";
