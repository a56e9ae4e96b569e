/**
 * The size of the proxy Next.js built for an app: `.next/server/middleware.js` and every file of
 * the build it loads, as Next's own trace lists them (`middleware.js.nft.json`) — the chunks
 * under `.next/server/chunks`, the auth library's code among them. Next's runtime files outside
 * `.next` (node_modules/next/dist/...) are the same for every app and not counted; nor are
 * source maps.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";

/** What the proxy of one build weighs. */
export interface BundleSize {
  bytes: number;
  gzipBytes: number;
  files: number;
}

function tracedFiles(trace: string): string[] {
  const parsed: unknown = JSON.parse(readFileSync(trace, "utf8"));
  if (typeof parsed !== "object" || parsed === null || !("files" in parsed) || !Array.isArray(parsed.files)) {
    throw new Error(`bench: ${trace} has no "files" list; did Next change its trace format?`);
  }
  return parsed.files.filter((file): file is string => typeof file === "string");
}

/**
 * Measures the proxy of the build in `appDir`; throws when the build has no proxy.
 *
 * @example
 * ```ts
 * const { bytes } = proxyBundleSize("bench/apps/latch-proxy");
 * ```
 */
export function proxyBundleSize(appDir: string): BundleSize {
  const buildDir = path.join(appDir, ".next");
  const serverDir = path.join(buildDir, "server");
  const entry = path.join(serverDir, "middleware.js");
  const trace = `${entry}.nft.json`;
  if (!existsSync(entry) || !existsSync(trace)) throw new Error(`bench: ${path.relative(process.cwd(), serverDir)} holds no middleware.js and trace; not a proxy build`);
  const files = [entry, ...tracedFiles(trace).map((file) => path.resolve(serverDir, file))].filter(
    (file) => file.startsWith(`${buildDir}${path.sep}`) && !file.endsWith(".map"),
  );
  let bytes = 0;
  let gzipBytes = 0;
  for (const file of new Set(files)) {
    bytes += statSync(file).size;
    gzipBytes += gzipSync(readFileSync(file)).length;
  }
  return { bytes, gzipBytes, files: new Set(files).size };
}
