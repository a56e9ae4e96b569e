/**
 * A fault-injecting TCP forwarder: listens on 127.0.0.1 and forwards every connection, byte for
 * byte, to a real service (PostgreSQL, Redis…). Tests point a driver at it instead of the service
 * and then break the network on purpose:
 *
 * - `pause()` / `resume()`: a hung service. Connections stay open, new ones are accepted, but no
 *   byte moves in either direction until `resume()` (what a stalled server or a dropped route
 *   looks like to a driver: silence, no error).
 * - `delay(ms)`: a slow network. Every chunk is held `ms` before it is forwarded, in order.
 * - `stop()` / `start()`: a stopped service. The listener closes and every connection is
 *   destroyed (new connections are refused); `start()` listens again on the same port.
 *
 * The protocol is never parsed or altered: the driver talks to the real server.
 */
import * as net from "node:net";

/** A connection pair and the chunks waiting to go each way. */
interface Link {
  client: net.Socket;
  upstream: net.Socket;
  toUpstream: Lane;
  toClient: Lane;
}

interface Held {
  chunk: Buffer;
  dueAt: number;
}

/** One direction of a link: chunks leave in arrival order, once due and not paused. */
class Lane {
  private readonly queue: Held[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly proxy: TcpProxy,
    private readonly target: net.Socket,
  ) {}

  push(chunk: Buffer): void {
    this.queue.push({ chunk, dueAt: Date.now() + this.proxy.latencyMs });
    this.flush();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.proxy.isPaused) return;
    const now = Date.now();
    let head = this.queue[0];
    while (head && head.dueAt <= now) {
      this.queue.shift();
      if (!this.target.destroyed) this.target.write(head.chunk);
      head = this.queue[0];
    }
    if (head) this.timer = setTimeout(() => this.flush(), head.dueAt - now);
  }

  drop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }
}

/** Where the proxy forwards to. */
export interface TcpProxyTarget {
  host: string;
  port: number;
}

/**
 * A TCP forwarder in front of `target` with switches for outages and latency.
 *
 * @example
 * ```ts
 * const proxy = await TcpProxy.open({ host: "127.0.0.1", port: 5432 });
 * const pool = new pg.Pool({ host: "127.0.0.1", port: proxy.port });
 * await proxy.stop(); // the database is down
 * await proxy.start(); // it is back, on the same port
 * await proxy.close();
 * ```
 */
export class TcpProxy {
  private server: net.Server | undefined;
  private readonly links = new Set<Link>();
  private paused = false;
  private latency = 0;
  private boundPort = 0;

  private constructor(readonly target: TcpProxyTarget) {}

  /** Creates a proxy for `target` and starts listening on a free port of 127.0.0.1. */
  static async open(target: TcpProxyTarget): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await proxy.start();
    return proxy;
  }

  /** The port the proxy listens on; the same across `stop()` and `start()`. */
  get port(): number {
    return this.boundPort;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  get latencyMs(): number {
    return this.latency;
  }

  /** Open connection pairs (a driver's pool size, as the proxy sees it). */
  get connectionCount(): number {
    return this.links.size;
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  /** Listens (again) on the proxy's port: the service is reachable. A no-op when listening. */
  async start(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.boundPort, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("TcpProxy: the listener has no TCP address");
    this.boundPort = address.port;
    this.server = server;
  }

  /**
   * The service is down: new connections are refused and every open one is destroyed, so the
   * driver sees its sockets close. Chunks held by `pause()`/`delay()` are dropped.
   */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const link of this.links) this.unlink(link);
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The service hangs: nothing moves either way, new connections are accepted and held. */
  pause(): void {
    this.paused = true;
  }

  /** Ends `pause()`: what was held is forwarded, in order. */
  resume(): void {
    this.paused = false;
    for (const link of this.links) {
      link.toUpstream.flush();
      link.toClient.flush();
    }
  }

  /** Holds every chunk, either way, `ms` milliseconds before forwarding it; 0 turns it off. */
  delay(ms: number): void {
    this.latency = Math.max(0, ms);
  }

  /** Back to a healthy network (no pause, no latency), listening. */
  async heal(): Promise<void> {
    this.delay(0);
    this.resume();
    await this.start();
  }

  /** Stops for good (test teardown). */
  async close(): Promise<void> {
    await this.stop();
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect(this.target.port, this.target.host);
    const link: Link = { client, upstream, toUpstream: new Lane(this, upstream), toClient: new Lane(this, client) };
    this.links.add(link);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on("data", (chunk: Buffer) => link.toUpstream.push(chunk));
    upstream.on("data", (chunk: Buffer) => link.toClient.push(chunk));
    // One side closing or failing closes the other, as a real connection would.
    const end = () => this.unlink(link);
    for (const socket of [client, upstream]) {
      socket.on("error", end);
      socket.on("close", end);
    }
  }

  private unlink(link: Link): void {
    if (!this.links.delete(link)) return;
    link.toUpstream.drop();
    link.toClient.drop();
    link.client.destroy();
    link.upstream.destroy();
  }
}
