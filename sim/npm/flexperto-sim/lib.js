"use strict";
// Finds the simulator binary: FLEXPERTO_SIM_BIN, else the platform package that npm installed
// beside this one (the esbuild pattern: one optional dependency per platform, each with `os` and
// `cpu`, so npm installs only the one that fits).
const path = require("node:path");
const fs = require("node:fs");

const PLATFORMS = { "linux x64": "flexperto-sim-linux-x64" };

/** The platform package for this machine, or undefined if there is none. */
function platformPackage() {
  return PLATFORMS[`${process.platform} ${process.arch}`];
}

/** The absolute path of the simulator binary; throws with install advice when there is none. */
function binaryPath() {
  const fromEnv = process.env.FLEXPERTO_SIM_BIN;
  if (fromEnv) {
    if (!fs.existsSync(fromEnv)) throw new Error(`FLEXPERTO_SIM_BIN points at ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  const pkg = platformPackage();
  if (pkg !== undefined) {
    try {
      return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), "bin", "flexperto-sim");
    } catch {
      throw new Error(`flexperto-sim: the package ${pkg} is missing (installed with --no-optional?); reinstall flexperto-sim, or set FLEXPERTO_SIM_BIN`);
    }
  }
  throw new Error(
    `flexperto-sim has no prebuilt binary for ${process.platform}-${process.arch}: build it with ` +
      "`cargo install --git <flexperto-sdk repository> flexperto-sim` (or `cargo install --path sim` in a checkout) " +
      "and set FLEXPERTO_SIM_BIN to the binary",
  );
}

module.exports = { binaryPath, platformPackage };
