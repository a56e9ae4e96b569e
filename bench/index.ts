/**
 * `npm run bench`: every benchmark, one after the other, as one JSON document on stdout —
 * `sessionToken` (bench/session-token.ts) and `proxy` (bench/proxy.ts). Progress and a short
 * table go to stderr. Child processes (builds, servers) are stopped on exit, even on failure.
 */
import { formatProxyTable, benchProxy } from "./proxy.js";
import { benchSessionToken } from "./session-token.js";

// The codec benchmark first: it runs in this process, before the proxy benchmark pins it to one core.
process.stderr.write("bench: session-token encode/decode\n");
const sessionToken = await benchSessionToken();
process.stderr.write("bench: proxy requests/s\n");
const proxy = await benchProxy();
process.stderr.write(formatProxyTable(proxy));
process.stdout.write(`${JSON.stringify({ node: process.version, sessionToken, proxy }, null, 2)}\n`);
