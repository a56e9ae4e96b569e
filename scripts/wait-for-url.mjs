/**
 * Waits until a URL answers HTTP (any status), for scripts/demo.sh: a fresh
 * machine may lack curl, but never node.
 *
 *   node scripts/wait-for-url.mjs <url> [--timeout <seconds>] [--pid <pid>]
 *
 * With `--pid`, gives up at once when that process exits, so a server that
 * crashed on start-up is reported in a second rather than after the timeout.
 */
import { parseArgs } from "node:util";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { timeout: { type: "string", default: "60" }, pid: { type: "string" } },
});
const url = positionals[0];
if (url === undefined) {
  console.error("usage: node scripts/wait-for-url.mjs <url> [--timeout <seconds>] [--pid <pid>]");
  process.exit(2);
}
const deadline = Date.now() + Number(values.timeout) * 1000;

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

for (;;) {
  try {
    await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(2000) });
    process.exit(0);
  } catch {
    if (values.pid !== undefined && !isAlive(Number(values.pid))) {
      console.error(`wait-for-url: the process serving ${url} exited`);
      process.exit(1);
    }
    if (Date.now() > deadline) {
      console.error(`wait-for-url: ${url} did not answer within ${values.timeout}s`);
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
