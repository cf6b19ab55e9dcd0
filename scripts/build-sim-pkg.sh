#!/usr/bin/env bash
# Builds the simulator's npm packages into pkg-sim/ (the esbuild pattern): `flexperto-sim`, a
# launcher whose optionalDependencies name one package per platform, and
# `flexperto-sim-linux-x64` (os/cpu set, so npm installs it only there) with the release binary
# target/release/flexperto-sim. Versions follow the simulator's Cargo.toml. Run scripts/build.sh
# (or cargo build --release -p flexperto-sim) first.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/flexperto-sim
[ -x "$bin" ] || { echo "[build-sim-pkg] $bin is missing: cargo build --release -p flexperto-sim" >&2; exit 1; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' sim/Cargo.toml | head -1)
out=pkg-sim
rm -rf "$out"
mkdir -p "$out/flexperto-sim" "$out/flexperto-sim-linux-x64/bin"
cp -R sim/npm/flexperto-sim/. "$out/flexperto-sim/"
cp LICENSE "$out/flexperto-sim/"
cp "$bin" "$out/flexperto-sim-linux-x64/bin/flexperto-sim"
chmod 755 "$out/flexperto-sim-linux-x64/bin/flexperto-sim" "$out/flexperto-sim/bin/flexperto-sim.js"
cp LICENSE "$out/flexperto-sim-linux-x64/"
node -e '
  const fs = require("fs");
  const [out, version] = process.argv.slice(1);
  const write = (f, j) => fs.writeFileSync(f, JSON.stringify(j, null, 2) + "\n");
  const main = JSON.parse(fs.readFileSync(`${out}/flexperto-sim/package.json`, "utf8"));
  main.version = version;
  main.optionalDependencies = { "flexperto-sim-linux-x64": version };
  write(`${out}/flexperto-sim/package.json`, main);
  const plat = JSON.parse(fs.readFileSync("sim/npm/platform/package.json", "utf8"));
  Object.assign(plat, { name: "flexperto-sim-linux-x64", version, os: ["linux"], cpu: ["x64"],
    description: plat.description.replace("PLATFORM", "linux-x64") });
  write(`${out}/flexperto-sim-linux-x64/package.json`, plat);
' "$out" "$version"
printf '[build-sim-pkg] %s ready: flexperto-sim %s, flexperto-sim-linux-x64 %s\n' "$out" "$version" "$version" >&2
