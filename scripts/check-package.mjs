/**
 * Packaging checks on what npm would publish: packs packages/latch once (after `npm run
 * build`), then runs publint and attw (Are the Types Wrong?) on that tarball.
 *
 *   node scripts/check-package.mjs [package directory, default packages/latch]
 *
 * attw does not expand wildcard exports ("./providers/*"), so each one is expanded here to the
 * modules the tarball holds directly under it and passed as explicit entry points; a wildcard
 * that matches nothing fails the check, since it means the exports map and dist disagree.
 *
 * Node built-ins are imported rather than used as globals because the lint config gives plain
 * .mjs files no Node globals.
 */
import { execFileSync, spawnSync } from "node:child_process";
import console from "node:console";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";

const root = resolve(import.meta.dirname, "..");
const packageDir = resolve(process.argv[2] ?? join(root, "packages/latch"));
const bin = (name) => join(root, "node_modules/.bin", name);

if (!existsSync(join(packageDir, "dist/index.js"))) {
  console.error(`check-package: ${join(packageDir, "dist")} is missing; run \`npm run build\` first.`);
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), "latch-pack-"));
let failed = false;
try {
  const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: packageDir, encoding: "utf8" }));
  const tarball = join(work, packed[0].filename);
  const files = new Set(packed[0].files.map((file) => file.path));

  const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  const entrypoints = [];
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    if (!subpath.includes("*")) continue;
    if (target === null) {
      // An excluded subpath (latch/providers/internal/*): it must not resolve, whatever file is there.
      const example = subpath.replace("*", "wrap-fetch").replace(/^\./, "latch");
      let resolved = false;
      try {
        import.meta.resolve(example);
        resolved = true;
      } catch (error) {
        if (error?.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw error;
      }
      if (resolved) {
        console.error(`check-package: "${example}" resolves, but "${subpath}" is excluded from the exports.`);
        failed = true;
      }
      continue;
    }
    const pattern = typeof target === "string" ? target : target.default;
    const [prefix, suffix] = pattern.replace(/^\.\//, "").split("*");
    // Direct children only: deeper paths (providers/internal/…) are not public entry points.
    const names = [...files]
      .filter((file) => file.startsWith(prefix) && file.endsWith(suffix) && !file.slice(prefix.length).includes("/"))
      .map((file) => subpath.replace("*", file.slice(prefix.length, file.length - suffix.length)));
    if (names.length === 0) {
      console.error(`check-package: the export "${subpath}" (${pattern}) matches no file in the tarball.`);
      failed = true;
    }
    entrypoints.push(...names);
  }

  const show = (args) => args.map((arg) => arg.replace(work, "<tmp>")).join(" ");

  console.log(`$ publint ${show(["run", tarball, "--strict"])}`);
  if (spawnSync(bin("publint"), ["run", tarball, "--strict"], { stdio: "inherit" }).status !== 0) failed = true;

  // latch is ESM-only ("type": "module", no "require" condition), which is what the
  // "esm-only" profile describes: it leaves out the node10 resolution (it ignores "exports",
  // so no subpath can resolve there; engines needs Node >= 20.19 and TypeScript users get
  // node16/nodenext or bundler resolution) and node16-from-CJS, where a require() reaching
  // ESM is the expected answer for an ESM-only package, not a mistake. Every other problem,
  // in node16 ESM and bundler resolution, still fails.
  const attw = [tarball, "--profile", "esm-only", "--include-entrypoints", ...entrypoints];
  console.log(`\n$ attw ${show(attw.slice(0, 3))} --include-entrypoints <${entrypoints.length} wildcard entry points>`);
  // Quiet first, since the table for ~80 entry points is long; printed in full only on failure.
  if (spawnSync(bin("attw"), [...attw, "--quiet"], { stdio: "inherit" }).status === 0) {
    console.log("attw: no problems");
  } else {
    spawnSync(bin("attw"), [...attw, "--format", "table-flipped", "--no-color"], { stdio: "inherit" });
    failed = true;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(failed ? "\ncheck-package: FAILED" : "\ncheck-package: publint and attw passed");
process.exit(failed ? 1 : 0);
