/**
 * A HOSTILE stand-in for an OpenID provider, for attack tests only. It is not an OpenID
 * provider: it serves an honest-looking discovery document and JWKS (each of which a test may
 * script too, for fault injection), then answers the token and userinfo endpoints with whatever
 * each test scripts, forged ID tokens, bodies without end and silence included. It accepts any
 * code and any client, and has no authorization endpoint: tests read state and nonce from
 * latch's authorization URL and call latch's callback themselves.
 *
 * Besides its own signing key it holds an attacker key that is NOT in its JWKS, and serves that
 * key at `attackerJwksUrl` so that tests can point `jku` / `x5u` headers at it and then check
 * that nobody fetched it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type JWTPayload } from "jose";

/** What an endpoint answers; `destroy` drops the connection without an answer. */
export interface ScriptedAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** A string or bytes are sent as they are; anything else as JSON. */
  body?: unknown;
  destroy?: boolean;
  /**
   * A body without end: after the headers (chunked, no Content-Length), `chunk` again and again,
   * every `everyMs` milliseconds or, without it, as fast as the client reads, until the client
   * hangs up. `body` is ignored.
   */
  endless?: { chunk: string; everyMs?: number };
}

/** One request the stand-in received. Header names are lower-case. */
export interface MaliciousOPRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** A scripted endpoint: called once per request. */
export type Script = (request: MaliciousOPRequest) => ScriptedAnswer | Promise<ScriptedAnswer>;

/** How {@link MaliciousOP.sign} signs: `alg: "none"` gives an unsigned JWT. */
export interface SignOptions {
  alg?: string;
  /** Default: the stand-in's own RS256 key. */
  key?: CryptoKey | Uint8Array;
  /** Extra protected-header parameters (`typ`, `jku`, `jwk`, `x5u`, …); `kid` defaults to the stand-in's. */
  header?: Record<string, unknown>;
}

/** A running hostile stand-in. */
export interface MaliciousOP {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The default issuer (equal to `url`). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The `kid` of the key published in the JWKS. */
  kid: string;
  /** The published RSA public key as PEM: the HMAC secret of a key-confusion attack. */
  publicKeyPem: string;
  /** A key pair NOT in the JWKS. */
  attacker: { kid: string; privateKey: CryptoKey; publicJwk: JWK };
  /** Serves the attacker's public key as a JWKS; fetching it is recorded in {@link requests}. */
  attackerJwksUrl: string;
  /**
   * Serves another issuer, `<url>/<name>`, whose discovery document is the default one with
   * `patch` applied (a `null` value removes the field). Endpoints and keys are shared.
   */
  addIssuer(name: string, patch: Record<string, unknown>): string;
  /**
   * Scripts the discovery document of the default issuer (its `/.well-known/openid-configuration`);
   * without a script, the honest document again. Other issuers stay honest.
   */
  answerDiscovery(script?: Script): void;
  /** Scripts the JWKS endpoint; without a script, the honest key set again. */
  answerJwks(script?: Script): void;
  /** Scripts the token endpoint; until then it answers 400 `invalid_grant`. */
  answerToken(script: Script): void;
  /** Scripts the userinfo endpoint; until then it answers 401. */
  answerUserInfo(script: Script): void;
  /** Valid ID-token claims for `nonce` (issuer, audience, times), with `overrides` applied (`undefined` removes a claim). */
  idTokenClaims(nonce: string | undefined, overrides?: Record<string, unknown>): JWTPayload;
  /** Signs a JWT (ID token, logout token, access token) with any header and key. */
  sign(payload: JWTPayload, options?: SignOptions): Promise<string>;
  /** Every request received, oldest first. */
  requests: MaliciousOPRequest[];
  close(): Promise<void>;
}

const KID = "honest-key-1";
const ATTACKER_KID = "attacker-key-1";

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** Writes `chunk` until the client hangs up: at once whenever the socket drains, or on a timer. */
function sendEndless(res: ServerResponse, answer: ScriptedAnswer, endless: { chunk: string; everyMs?: number }): void {
  res.writeHead(answer.status ?? 200, { "Content-Type": "application/json; charset=utf-8", ...answer.headers });
  let open = true;
  res.on("close", () => {
    open = false;
  });
  const pump = (): void => {
    if (!open) return;
    const more = res.write(endless.chunk);
    if (endless.everyMs !== undefined) setTimeout(pump, endless.everyMs);
    else if (more) setImmediate(pump);
    else res.once("drain", pump);
  };
  pump();
}

function send(res: ServerResponse, answer: ScriptedAnswer): void {
  if (answer.destroy) {
    res.socket?.destroy();
    return;
  }
  if (answer.endless) {
    sendEndless(res, answer, answer.endless);
    return;
  }
  const { body } = answer;
  const raw = typeof body === "string" || body instanceof Uint8Array ? body : body === undefined ? "" : JSON.stringify(body);
  const type = typeof body === "string" || body instanceof Uint8Array ? "text/plain; charset=utf-8" : "application/json; charset=utf-8";
  res.writeHead(answer.status ?? 200, { "Content-Type": type, "Cache-Control": "no-store", ...answer.headers });
  res.end(raw);
}

async function readRequest(req: IncomingMessage, path: string): Promise<MaliciousOPRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers[name] = value;
  return { method: req.method ?? "GET", path, headers, body: Buffer.concat(chunks).toString("utf8") };
}

/**
 * Starts the hostile stand-in on 127.0.0.1 (a free port).
 *
 * @example
 * ```ts
 * const op = await startMaliciousOP();
 * op.answerToken(async () => ({ body: { access_token: "at", token_type: "Bearer", id_token: await op.sign(op.idTokenClaims(nonce), { alg: "none" }) } }));
 * ```
 */
export async function startMaliciousOP(options: { clientId?: string; clientSecret?: string } = {}): Promise<MaliciousOP> {
  const clientId = options.clientId ?? "malicious-op-client";
  const clientSecret = options.clientSecret ?? "malicious-op-secret";
  const honest = await generateKeyPair("RS256", { extractable: true });
  const attacker = await generateKeyPair("RS256", { extractable: true });
  const honestJwk = { ...(await exportJWK(honest.publicKey)), kid: KID, alg: "RS256", use: "sig" };
  const attackerJwk = { ...(await exportJWK(attacker.publicKey)), kid: ATTACKER_KID, alg: "RS256", use: "sig" };
  const publicKeyPem = await exportSPKI(honest.publicKey);

  const requests: MaliciousOPRequest[] = [];
  const issuers = new Map<string, Record<string, unknown>>();
  let tokenScript: Script = () => ({ status: 400, body: { error: "invalid_grant", error_description: "no token answer scripted" } });
  let userInfoScript: Script = () => ({ status: 401, body: { error: "invalid_token" } });
  const honestJwks: Script = () => ({ body: { keys: [honestJwk] } });
  let jwksScript: Script = honestJwks;
  let discoveryScript: Script | undefined;
  let url = "";

  function discovery(issuer: string, patch: Record<string, unknown>): Record<string, unknown> {
    const document: Record<string, unknown> = {
      issuer,
      authorization_endpoint: `${url}/authorize`,
      token_endpoint: `${url}/token`,
      userinfo_endpoint: `${url}/userinfo`,
      jwks_uri: `${url}/jwks`,
      response_types_supported: ["code"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
      code_challenge_methods_supported: ["S256"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete document[key];
      else document[key] = value;
    }
    return document;
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://stand-in").pathname;
    const request = await readRequest(req, path);
    requests.push(request);
    if (path.endsWith("/.well-known/openid-configuration")) {
      const issuer = `${url}${path.slice(0, -"/.well-known/openid-configuration".length)}`;
      if (issuer === url && discoveryScript) return send(res, await discoveryScript(request));
      const patch = issuer === url ? {} : issuers.get(issuer);
      return send(res, patch ? { body: discovery(issuer, patch) } : { status: 404, body: "no such issuer" });
    }
    switch (path) {
      case "/jwks":
        return send(res, await jwksScript(request));
      case "/attacker/jwks":
        return send(res, { body: { keys: [attackerJwk] } });
      case "/token":
        return send(res, await tokenScript(request));
      case "/userinfo":
        return send(res, await userInfoScript(request));
      default:
        return send(res, { status: 404, body: "not served by the hostile stand-in" });
    }
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => send(res, { status: 500, body: `stand-in script failed: ${String(error)}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    issuer: url,
    clientId,
    clientSecret,
    kid: KID,
    publicKeyPem,
    attacker: { kid: ATTACKER_KID, privateKey: attacker.privateKey, publicJwk: attackerJwk },
    attackerJwksUrl: `${url}/attacker/jwks`,
    requests,
    addIssuer(name, patch) {
      const issuer = `${url}/${name}`;
      issuers.set(issuer, patch);
      return issuer;
    },
    answerDiscovery(script) {
      discoveryScript = script;
    },
    answerJwks(script) {
      jwksScript = script ?? honestJwks;
    },
    answerToken(script) {
      tokenScript = script;
    },
    answerUserInfo(script) {
      userInfoScript = script;
    },
    idTokenClaims(nonce, overrides = {}) {
      const now = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = { iss: url, aud: clientId, sub: "alice", iat: now, exp: now + 300, name: "Alice", email: "alice@example.test" };
      if (nonce !== undefined) claims.nonce = nonce;
      for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) delete claims[key];
        else claims[key] = value;
      }
      return claims;
    },
    async sign(payload, signOptions = {}) {
      const alg = signOptions.alg ?? "RS256";
      if (alg === "none") return `${base64url({ alg: "none", ...signOptions.header })}.${base64url(payload)}.`;
      return new SignJWT(payload).setProtectedHeader({ alg, kid: KID, ...signOptions.header }).sign(signOptions.key ?? honest.privateKey);
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}
