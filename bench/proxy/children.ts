/**
 * Child processes of the benchmark: each runs in its own process group, and every group still
 * alive is killed when the benchmark exits — normally, on an error, or on Ctrl-C.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

const live = new Set<ChildProcess>();

/** Kills a child's whole group (`next start` may fork); a no-op once it has exited. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

process.once("exit", () => {
  for (const child of live) killGroup(child, "SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench: ${signal}, stopping child processes\n`);
    // exit() runs the "exit" handler above, which kills every live group.
    process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
  });
}

/** Output kept per child for failure reports: the tail is what explains a crash. */
const OUTPUT_LIMIT = 64 * 1024;

/** A tracked child and what it printed so far. */
export interface Tracked {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (null after a signal) once the child has exited. */
  exited: Promise<number | null>;
}

/**
 * Spawns `command` in a new process group with stdout and stderr captured, and tracks it
 * until it exits.
 *
 * @example
 * ```ts
 * const { exited, output } = track("node", ["--version"], { cwd: process.cwd(), env: process.env });
 * if ((await exited) !== 0) throw new Error(output());
 * ```
 */
export function track(command: string, args: string[], options: Pick<SpawnOptions, "cwd" | "env">): Tracked {
  const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  live.add(child);
  let output = "";
  const append = (chunk: Buffer): void => {
    output += chunk.toString();
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<number | null>((resolve) => {
    child.once("error", (error) => {
      append(Buffer.from(`\n${error.message}\n`));
      live.delete(child);
      resolve(null);
    });
    child.once("exit", (code) => {
      live.delete(child);
      resolve(code);
    });
  });
  return { child, output: () => output, exited };
}

/**
 * Runs a command to completion; rejects with its output when it fails.
 *
 * @example
 * ```ts
 * await run("npm", ["run", "build", "-w", "latch"], { cwd: repoRoot, env: process.env });
 * ```
 */
export async function run(command: string, args: string[], options: Pick<SpawnOptions, "cwd" | "env">): Promise<string> {
  const { output, exited } = track(command, args, options);
  const code = await exited;
  if (code !== 0) throw new Error(`bench: \`${command} ${args.join(" ")}\` in ${String(options.cwd)} exited with ${String(code)}:\n${output()}`);
  return output();
}
