import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findAuthRoutes } from "./routes.js";

const dirs: string[] = [];
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "latch-doctor-routes-"));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const HANDLERS = 'import { handlers } from "@/auth";\nexport const { GET, POST } = handlers;\n';

describe("findAuthRoutes", () => {
  it("finds the App Router catch-all that serves handlers, under app/ or src/app/", () => {
    expect(findAuthRoutes(project({ "app/api/auth/[...nextauth]/route.ts": HANDLERS }))).toEqual([{ file: "app/api/auth/[...nextauth]/route.ts", basePath: "/api/auth" }]);
    expect(findAuthRoutes(project({ "src/app/(auth)/auth/[[...all]]/route.js": HANDLERS }))).toEqual([{ file: "src/app/(auth)/auth/[[...all]]/route.js", basePath: "/auth" }]);
  });

  it("finds a Pages Router catch-all file", () => {
    expect(findAuthRoutes(project({ "pages/api/auth/[...nextauth].ts": 'import NextAuth from "next-auth";\n' }))).toEqual([{ file: "pages/api/auth/[...nextauth].ts", basePath: "/api/auth" }]);
  });

  it("ignores catch-alls that serve something else, and node_modules", () => {
    const dir = project({
      "app/docs/[...slug]/route.ts": "export function GET() { return new Response('docs'); }\n",
      "app/node_modules/x/[...nextauth]/route.ts": HANDLERS,
      "app/docs/[...slug]/page.tsx": HANDLERS,
    });
    expect(findAuthRoutes(dir)).toEqual([]);
  });
});
