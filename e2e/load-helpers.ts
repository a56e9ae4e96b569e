/**
 * What the load test needs beside the harness: the server's memory, read from Linux's /proc
 * (the harness hands out a URL and a port, not a process), and one autocannon run that counts
 * every answer that was not the signed-in one.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import autocannon from "autocannon";

/** The inode of the socket listening on 127.0.0.1:`port`, from /proc/net/tcp; null when none. */
function listeningInode(port: number): string | null {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    // fields: sl, local_address, rem_address, st (0A = LISTEN), ..., inode at index 9.
    if (fields[1] === local && fields[3] === "0A" && fields[9] !== undefined) return fields[9];
  }
  return null;
}

/**
 * The process listening on 127.0.0.1:`port`: the one holding the listening socket. Throws when
 * there is none, or on a system without /proc.
 *
 * @example
 * ```ts
 * const pid = listeningPid(app.port);
 * ```
 */
export function listeningPid(port: number): number {
  const inode = listeningInode(port);
  if (inode === null) throw new Error(`e2e: nothing listens on 127.0.0.1:${port} (read from /proc/net/tcp)`);
  const socket = `socket:[${inode}]`;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // Gone, or not ours to read.
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${entry}/fd/${fd}`) === socket) return Number(entry);
      } catch {
        // Closed meanwhile.
      }
    }
  }
  throw new Error(`e2e: no process holds the socket listening on 127.0.0.1:${port}`);
}

/** The parent of `pid` and its resident set in bytes, from /proc/<pid>/status; null when it is gone. */
function statusOf(pid: number): { ppid: number; rssBytes: number } | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  const ppid = /^PPid:\s+(\d+)/m.exec(status)?.[1];
  // A kernel thread has no VmRSS line.
  const rssKb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? "0";
  return ppid === undefined ? null : { ppid: Number(ppid), rssBytes: Number(rssKb) * 1024 };
}

/**
 * The resident memory of `pid` and every process under it, in bytes: what the server holds in
 * RAM, whichever of its processes holds it.
 *
 * @example
 * ```ts
 * const before = treeRssBytes(listeningPid(app.port));
 * ```
 */
export function treeRssBytes(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statusOf(Number(entry));
    if (stat === null) continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
  }
  let total = 0;
  const queue = [pid];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    total += statusOf(next)?.rssBytes ?? 0;
    queue.push(...(children.get(next) ?? []));
  }
  return total;
}

/** What one load got back. */
export interface LoadResult {
  url: string;
  /** Answers that were 2xx and passed `verify`. */
  ok: number;
  non2xx: number;
  /** 2xx answers whose body `verify` refused. */
  mismatches: number;
  errors: number;
  timeouts: number;
  requestsPerSec: number;
  latencyP99Ms: number;
}

/**
 * `GET url` with `headers` over `connections` keep-alive connections for `seconds`; every body
 * goes through `verify`. Resolves with the counts; it does not throw on bad answers, the test
 * asserts on them.
 *
 * @example
 * ```ts
 * const result = await runLoad({ url, headers: { cookie }, connections: 8, seconds: 60, verify: (body) => body.includes("Dashboard") });
 * ```
 */
export async function runLoad(options: {
  url: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  verify: (body: string) => boolean;
}): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: "GET",
    headers: options.headers,
    connections: options.connections,
    pipelining: 1,
    duration: options.seconds,
    timeout: 10,
    verifyBody: (body) => options.verify(typeof body === "string" ? body : (body?.toString("utf8") ?? "")),
  });
  return {
    url: options.url,
    ok: result["2xx"] - result.mismatches,
    non2xx: result.non2xx,
    mismatches: result.mismatches,
    errors: result.errors,
    timeouts: result.timeouts,
    requestsPerSec: Math.round(result["2xx"] / result.duration),
    latencyP99Ms: result.latency.p99,
  };
}
