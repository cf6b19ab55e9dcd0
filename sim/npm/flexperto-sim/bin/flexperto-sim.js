#!/usr/bin/env node
"use strict";
// `npx flexperto-sim [--port N] ...`: runs the platform's binary with the same arguments,
// passes termination signals on, and exits with its status.
const { spawn } = require("node:child_process");
const { binaryPath } = require("../lib.js");

let bin;
try {
  bin = binaryPath();
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
const child = spawn(bin, process.argv.slice(2), { stdio: "inherit" });
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => child.kill(sig));
}
child.on("error", (e) => {
  console.error(`flexperto-sim: cannot run ${bin}: ${e.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
