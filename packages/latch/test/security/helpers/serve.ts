/**
 * latch behind a real socket: a node:http or node:https server on 127.0.0.1 that turns each
 * request into a Web `Request` (every header as sent, Host included) for `Auth()` and writes the
 * `Response` back, each `Set-Cookie` on its own line. What a Next.js route handler sees, minus
 * Next.js.
 */
import { Agent as HttpAgent, createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { Agent, createServer as createHttpsServer, request as httpsRequest } from "node:https";
import { connect, type AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { TLSSocket } from "node:tls";
import { Auth } from "../../../src/index.js";
import type { AuthConfig } from "../../../src/types.js";
import type { SelfSigned } from "./self-signed.js";

/** What answers the requests: a latch config (served by `Auth()`), or any Web handler (Auth.js's, as an oracle). */
export type Answerer = AuthConfig | ((request: Request) => Promise<Response>);

export interface Served {
  /** e.g. `https://127.0.0.1:43123` */
  origin: string;
  port: number;
  /** Sets what answers requests (built after the port is known, for AUTH_URL). */
  use(answerer: Answerer): void;
  close(): Promise<void>;
}

function toRequest(req: IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  const init: RequestInit & { duplex?: "half" } = { method, headers };
  if (hasBody) {
    init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
    init.duplex = "half";
  }
  return requestWithMethod(`${origin}${req.url ?? "/"}`, method, init);
}

/**
 * A `Request` with any method, even one fetch refuses to build (TRACE, TRACK, CONNECT): such a
 * request is built with GET and its `method` replaced, as a platform that passes every method
 * through would hand it over.
 */
export function requestWithMethod(url: string, method: string, init: RequestInit = {}): Request {
  try {
    return new Request(url, { ...init, method });
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    const request = new Request(url, { ...init, method: "GET", body: null });
    Object.defineProperty(request, "method", { value: method });
    return request;
  }
}

async function answer(req: IncomingMessage, res: ServerResponse, origin: string, answerer: Answerer | undefined): Promise<void> {
  if (!answerer) throw new Error("serve: nothing answers (call use() first)");
  const request = toRequest(req, origin);
  const response = typeof answerer === "function" ? await answerer(request) : await Auth(request, answerer);
  res.statusCode = response.status;
  for (const [name, value] of response.headers) if (name !== "set-cookie") res.setHeader(name, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  res.end(Buffer.from(await response.arrayBuffer()));
}

/** Starts a server on 127.0.0.1 (a free port); `tls` makes it https with that certificate. */
export async function serveEngine(tls?: SelfSigned): Promise<Served> {
  let answerer: Answerer | undefined;
  let origin = "";
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    answer(req, res, origin, answerer).catch((error: unknown) => {
      // Whatever escapes Auth() (or a Request the platform refuses to build) is a 500 with a marker.
      if (!res.headersSent) {
        res.statusCode = 500;
        res.setHeader("x-serve-error", error instanceof Error ? error.name : "unknown");
      }
      res.end();
    });
  };
  const server: Server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  origin = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
  return {
    origin,
    port,
    use: (next) => {
      answerer = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  setCookies: string[];
  body: string;
  /** The TLS protocol of the connection (`TLSv1.3`), or undefined over plain http. */
  tlsProtocol: string | undefined;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Milliseconds before the request is abandoned (the test then fails: a hang). */
  timeout?: number;
}

/**
 * Sends one request over a real connection — TLS verified against `ca` for https — and reads the
 * whole answer. Nothing is normalized: the method, path and headers go out as given.
 */
export function rawRequest(origin: string, path: string, init: RawRequest = {}, ca?: string): Promise<RawResponse> {
  const url = new URL(origin);
  const secure = url.protocol === "https:";
  const options = {
    host: url.hostname,
    port: Number(url.port),
    path,
    method: init.method ?? "GET",
    headers: init.headers ?? {},
    // A fresh connection for each request: one refused mid-body must not leave a socket to reuse.
    agent: secure ? new Agent({ ca, keepAlive: false }) : new HttpAgent({ keepAlive: false }),
  };
  const timeout = init.timeout ?? 10_000;
  return new Promise<RawResponse>((resolve, reject) => {
    let answered: (() => void) | undefined;
    const req = (secure ? httpsRequest : httpRequest)(options, (res) => {
      const chunks: Buffer[] = [];
      const tlsProtocol = secure ? ((res.socket as TLSSocket).getProtocol() ?? undefined) : undefined;
      answered = () => {
        const setCookie = res.headers["set-cookie"];
        resolve({ status: res.statusCode ?? 0, headers: res.headers, setCookies: Array.isArray(setCookie) ? setCookie : [], body: Buffer.concat(chunks).toString("utf8"), tlsProtocol });
      };
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", answered);
      res.on("error", answered);
    });
    req.setTimeout(timeout, () => req.destroy(new Error(`no answer to ${init.method ?? "GET"} ${path} within ${timeout} ms`)));
    // A server that answers before reading the whole body (a 413) may reset the connection while
    // the body is still being sent: the answer it gave counts.
    req.on("error", (error) => (answered ? answered() : reject(error)));
    req.end(init.body);
  });
}

/** Writes bytes to a plain-http server as they are, and returns what it answers before it closes the connection. */
export function rawBytes(origin: string, bytes: Buffer, timeout = 10_000): Promise<string> {
  const url = new URL(origin);
  return new Promise<string>((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(timeout, () => socket.destroy(new Error(`no answer within ${timeout} ms`)));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => resolve(Buffer.concat(chunks).toString("latin1")));
    socket.on("error", (error) => (chunks.length > 0 ? resolve(Buffer.concat(chunks).toString("latin1")) : reject(error)));
    // Written, not ended: a client that half-closes may see its answer dropped. Send `Connection: close`.
    socket.write(bytes);
  });
}
