// Sets the package.json version to the crate's: node scripts/set-version.mjs PACKAGE_JSON CARGO_TOML
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** The `version` of the `[package]` table of a Cargo.toml. */
export function crateVersion(toml) {
  const pkg = /^\[package\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(toml);
  const v = pkg && /^version\s*=\s*"([^"]+)"/m.exec(pkg[1]);
  if (!v) throw new Error("Cargo.toml: no [package] version");
  return v[1];
}

/** `packageJson` (text) with its version set. */
export function withVersion(packageJson, version) {
  const j = JSON.parse(packageJson);
  j.version = version;
  return JSON.stringify(j, null, 2) + "\n";
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [pkg, cargo] = process.argv.slice(2);
  const version = crateVersion(readFileSync(cargo, "utf8"));
  writeFileSync(pkg, withVersion(readFileSync(pkg, "utf8"), version));
  process.stdout.write(version + "\n");
}
