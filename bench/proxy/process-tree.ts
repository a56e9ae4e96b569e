/**
 * CPU time of a server and every process it started, from Linux's /proc: `next start` may fork,
 * and the work of a request can land in any of them.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's time fields (`getconf CLK_TCK`, 100 almost everywhere). */
const CLOCK_TICKS = ((): number => {
  const result = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const ticks = Number.parseInt(result.stdout ?? "", 10);
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
})();

/** One line of /proc/<pid>/stat, the fields this file needs. */
interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime: its own CPU and that of its children it has reaped. */
  ticks: number;
}

/** Parses /proc/<pid>/stat; null when the process is gone. The name field may hold spaces and parentheses. */
function readStat(pid: number): ProcStat | null {
  let line: string;
  try {
    line = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // Fields after the name, which ends at the last ")": state is field 3, so index i is field i + 3.
  const fields = line.slice(line.lastIndexOf(")") + 2).split(" ");
  const field = (n: number): number => Number(fields[n - 3] ?? 0);
  return { pid, ppid: field(4), ticks: field(14) + field(15) + field(16) + field(17) };
}

/**
 * The CPU time, in milliseconds, that `rootPid` and its live descendants have used so far (with
 * their reaped children); 0 on a system without /proc. Take it before and after a load: the
 * difference is the server's CPU for that load.
 *
 * @example
 * ```ts
 * const before = treeCpuMs(server.pid);
 * const { requests } = await load(...);
 * const cpuPerRequestMs = (treeCpuMs(server.pid) - before) / requests;
 * ```
 */
export function treeCpuMs(rootPid: number): number {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return 0;
  }
  const children = new Map<number, ProcStat[]>();
  let root: ProcStat | null = null;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat === null) continue;
    if (stat.pid === rootPid) root = stat;
    const siblings = children.get(stat.ppid);
    if (siblings) siblings.push(stat);
    else children.set(stat.ppid, [stat]);
  }
  if (root === null) return 0;
  let ticks = 0;
  const queue: ProcStat[] = [root];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    ticks += next.ticks;
    queue.push(...(children.get(next.pid) ?? []));
  }
  return (ticks * 1000) / CLOCK_TICKS;
}
