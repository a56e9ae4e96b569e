/** `next start` of a built benchmark app, on 127.0.0.1 and a port the OS picked. */
import { createServer } from "node:net";
import { killGroup, track } from "./children.js";
import { nextBin } from "./apps.js";

/** A port nobody listens on right now, chosen by the OS. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === "object") resolve(address.port);
        else reject(new Error("bench: could not read the port the OS assigned"));
      });
    });
  });
}

/** A running app. */
export interface Server {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** The server's process id (`taskset` execs Node, so this is Node's); its children are the server's too. */
  pid: number;
  /** What the server printed so far, for failure reports. */
  output(): string;
  close(): Promise<void>;
}

/**
 * Serves the built app in `dir` with `next start` (behind `prefix`, e.g. `taskset -c 0`) and
 * resolves once it answers HTTP. `AUTH_URL` and `BETTER_AUTH_URL` are set to the server's own address.
 *
 * @example
 * ```ts
 * const server = await startServer({ dir, prefix: [], env: childEnv({ NODE_ENV: "production", AUTH_SECRET }) });
 * ```
 */
export async function startServer(options: { dir: string; prefix: string[]; env: NodeJS.ProcessEnv }): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const [command, ...prefixArgs] = [...options.prefix, process.execPath];
  const { child, output, exited } = track(command ?? process.execPath, [...prefixArgs, nextBin, "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: options.dir,
    env: { ...options.env, AUTH_URL: url, BETTER_AUTH_URL: url },
  });
  const close = async (): Promise<void> => {
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const pid = child.pid;
  if (pid === undefined) {
    await exited;
    throw new Error(`bench: \`next start\` in ${options.dir} did not start:\n${output()}`);
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`bench: \`next start\` in ${options.dir} exited before answering (code ${String(child.exitCode)}):\n${output()}`);
    }
    try {
      // Any status will do: "/" is outside the proxy's matcher, the checks come later.
      await fetch(`${url}/`, { redirect: "manual", signal: AbortSignal.timeout(2_000) });
      return { url, pid, output, close };
    } catch {
      if (Date.now() > deadline) {
        await close();
        throw new Error(`bench: \`next start\` in ${options.dir} did not answer on ${url} within 60 s:\n${output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
