/**
 * Waits until an http:// URL answers (any status), for scripts/demo.sh: a
 * fresh machine may lack curl, but never node.
 *
 *   node scripts/wait-for-url.mjs <url> [--timeout <seconds>] [--pid <pid>]
 *
 * With `--pid`, gives up at once when that process exits, so a server that
 * crashed on start-up is reported in a second rather than after the timeout.
 *
 * Node built-ins are imported rather than used as globals because the lint
 * config gives plain .mjs files no Node globals.
 */
import console from "node:console";
import { request } from "node:http";
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { timeout: { type: "string", default: "60" }, pid: { type: "string" } },
});
const url = positionals[0];
if (url === undefined || !url.startsWith("http://")) {
  console.error("usage: node scripts/wait-for-url.mjs <http://…> [--timeout <seconds>] [--pid <pid>]");
  process.exit(2);
}
const deadline = Date.now() + Number(values.timeout) * 1000;

/** Resolves true once the server sent a status line, false on any connection error. */
function answers() {
  return new Promise((resolve) => {
    const req = request(url, { method: "GET", timeout: 2000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.once("timeout", () => req.destroy());
    req.once("error", () => resolve(false));
    req.end();
  });
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

while (!(await answers())) {
  if (values.pid !== undefined && !isAlive(Number(values.pid))) {
    console.error(`wait-for-url: the process that should serve ${url} exited`);
    process.exit(1);
  }
  if (Date.now() > deadline) {
    console.error(`wait-for-url: ${url} did not answer within ${values.timeout}s`);
    process.exit(1);
  }
  await sleep(250);
}
