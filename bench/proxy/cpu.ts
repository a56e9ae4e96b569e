/**
 * Keeps the servers and the load generator off each other's core with `taskset` (util-linux):
 * on two cores, a load generator sharing the server's core measures the scheduler, not the proxy.
 */
import { spawnSync } from "node:child_process";

/** Where the servers and the load generator (this process) run, or why they are not pinned. */
export type CpuPlacement =
  | { pinned: true; serverCpu: number; loadGeneratorCpu: number; tool: "taskset" }
  | { pinned: false; reason: string };

/** `taskset`'s output and exit status, or null when the command is missing. */
function taskset(args: string[]): { status: number | null; stdout: string } | null {
  const result = spawnSync("taskset", args, { encoding: "utf8" });
  if (result.error) return null;
  return { status: result.status, stdout: result.stdout };
}

/** Expands an affinity list such as `0-2,5` to [0, 1, 2, 5]. */
function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.split(",")) {
    const [first, last] = part.trim().split("-").map(Number);
    if (first === undefined || !Number.isInteger(first)) continue;
    for (let cpu = first; cpu <= (last ?? first); cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** A CPU placement in effect: what it is, the command prefix for servers, and how to undo it. */
export interface Pinning {
  placement: CpuPlacement;
  /** Prepended to a server's command line (empty when not pinned). */
  serverPrefix: string[];
  /** Gives this process back the CPUs it had. */
  restore(): void;
}

/**
 * Pins this process (every thread: it runs the load generator) to the last CPU it may use and
 * returns the prefix that starts a server on the first, when `taskset` exists and at least two
 * CPUs are allowed; otherwise pins nothing and says why.
 *
 * @example
 * ```ts
 * const pinning = pinLoadGenerator();
 * try { spawn(pinning.serverPrefix[0] ?? "node", ...) } finally { pinning.restore(); }
 * ```
 */
export function pinLoadGenerator(): Pinning {
  const unpinned = (reason: string): Pinning => ({ placement: { pinned: false, reason }, serverPrefix: [], restore: () => undefined });
  const current = taskset(["-c", "-p", String(process.pid)]);
  if (current === null) return unpinned("taskset not found (Debian: apt-get install util-linux)");
  const list = /:\s*([\d,\s-]+)\s*$/.exec(current.stdout)?.[1];
  const cpus = list === undefined ? [] : parseCpuList(list);
  const serverCpu = cpus[0];
  const loadGeneratorCpu = cpus[cpus.length - 1];
  if (list === undefined || serverCpu === undefined || loadGeneratorCpu === undefined || serverCpu === loadGeneratorCpu) {
    return unpinned(`fewer than two CPUs allowed (taskset: ${current.stdout.trim()})`);
  }
  const pinned = taskset(["-a", "-c", "-p", String(loadGeneratorCpu), String(process.pid)]);
  if (pinned?.status !== 0) return unpinned("taskset could not set this process's affinity");
  return {
    placement: { pinned: true, serverCpu, loadGeneratorCpu, tool: "taskset" },
    serverPrefix: ["taskset", "-c", String(serverCpu)],
    restore: () => void taskset(["-a", "-c", "-p", list.trim(), String(process.pid)]),
  };
}
