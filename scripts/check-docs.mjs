#!/usr/bin/env node
/**
 * Type-checks every ```ts and ```tsx block in docs/ (and the README) against the built latch
 * package, so no example in the docs can drift from the API.
 *
 * The blocks of one page are compiled together, as files of one small project under
 * .docs-check/<page>/: a block whose first line is `// file: <path>` is written to that path
 * (so blocks can import each other: `import { auth } from "../auth"`), any other block to
 * `block-<n>.ts(x)`. Two blocks of a page naming one file is an error: one of them would go
 * unchecked. README blocks are checked only when they name their file (the README shows fragments).
 * Anything that is not meant to compile belongs in a block of another language (text, sh, env).
 * Errors are reported at their line in the Markdown file.
 *
 *   node scripts/check-docs.mjs    (after `npm run build`: the blocks import "latch/…" from dist)
 */
import console from "node:console";
import process from "node:process";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const docsDir = path.join(root, "docs");
const workDir = path.join(root, ".docs-check");

/** Markdown files to check: docs/**.md and the README. */
function markdownFiles() {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      // The generated reference quotes TSDoc examples, fragments checked where they are written.
      if (entry.isDirectory()) {
        if (full !== path.join(docsDir, "reference")) walk(full);
      }
      else if (entry.name.endsWith(".md")) found.push(full);
    }
  };
  if (existsSync(docsDir)) walk(docsDir);
  return [path.join(root, "README.md"), ...found.sort()];
}

/** The ts/tsx blocks of a Markdown text, with the line (1-based) where each block's code starts. */
function codeBlocks(text) {
  const blocks = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(ts|tsx|typescript)\b(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    const body = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j].trimStart().startsWith(fence); j++) body.push(lines[j].slice(indent.length));
    blocks.push({ lang: lang === "tsx" ? "tsx" : "ts", startLine: i + 2, code: body.join("\n") });
    i = j;
  }
  return blocks;
}

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    lib: ["DOM", "DOM.Iterable", "ES2023"],
    module: "esnext",
    moduleResolution: "bundler",
    jsx: "react-jsx",
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    allowImportingTsExtensions: true,
    types: ["node", "react", "react-dom"],
    noUnusedLocals: false,
    isolatedModules: true,
  },
  include: ["**/*.ts", "**/*.tsx"],
};

rmSync(workDir, { recursive: true, force: true });
/** Where each generated file came from: generated path → { markdown file, first code line, lines prefixed }. */
const origins = new Map();
let blockCount = 0;
const problems = [];

for (const markdown of markdownFiles()) {
  const relative = path.relative(root, markdown);
  const pageDir = path.join(workDir, relative.replace(/\.md$/, "").replace(/[^A-Za-z0-9/_-]/g, "_"));
  const seen = new Set();
  codeBlocks(readFileSync(markdown, "utf8")).forEach((block, index) => {
    // README blocks are short fragments by design unless they name their file.
    const named = /^\/\/ file: (\S+)\s*$/.exec(block.code.split("\n")[0] ?? "");
    if (markdown.endsWith("README.md") && path.dirname(markdown) === root && !named) return;
    const name = named ? named[1] : `block-${index + 1}.${block.lang}`;
    if (path.isAbsolute(name) || name.split("/").includes("..")) {
      problems.push(`${relative}:${block.startLine}: "// file: ${name}" must be a relative path inside the page`);
      return;
    }
    if (seen.has(name)) {
      problems.push(`${relative}:${block.startLine}: a second block names ${name}; give it another file name`);
      return;
    }
    seen.add(name);
    const out = path.join(pageDir, name);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, `${block.code}\n`);
    origins.set(path.relative(root, out), { markdown: relative, startLine: block.startLine });
    blockCount++;
  });
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
if (blockCount === 0) {
  console.log("check-docs: no TypeScript blocks to check.");
  process.exit(0);
}
writeFileSync(path.join(workDir, "tsconfig.json"), `${JSON.stringify(TSCONFIG, null, 2)}\n`);

const tsc = spawnSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", path.join(workDir, "tsconfig.json"), "--pretty", "false"], { cwd: root, encoding: "utf8" });
const output = `${tsc.stdout}${tsc.stderr}`;
if (tsc.status === 0) {
  console.log(`check-docs: ${blockCount} TypeScript blocks in the docs compile against latch.`);
  rmSync(workDir, { recursive: true, force: true });
  process.exit(0);
}
// `.docs-check/docs/x/auth.ts(3,7): error TS…` → `docs/x.md:<line>: error TS…`
const mapped = output
  .split("\n")
  .filter(Boolean)
  .map((line) => {
    const match = /^(.+?)\((\d+),(\d+)\): (.*)$/.exec(line);
    if (!match) return line;
    const origin = origins.get(path.relative(root, path.resolve(root, match[1])));
    if (!origin) return line;
    return `${origin.markdown}:${origin.startLine + Number(match[2]) - 1}:${match[3]}: ${match[4]}`;
  });
console.error(`check-docs: code blocks that do not compile (generated files kept in ${path.relative(root, workDir)}/):\n${mapped.join("\n")}`);
process.exit(1);
