/**
 * `npm run bench`: every benchmark, one after the other, as one JSON document on stdout —
 * `sessionToken` (bench/session-token.ts), `bearer` (bench/bearer.ts), `proxy` (bench/proxy.ts)
 * and `databaseSession` (bench/database-session.ts). Progress and short tables go to stderr. Child processes (builds,
 * servers) are stopped and the database-session data removed on exit, even on failure.
 */
import { benchBearer } from "./bearer.js";
import { benchDatabaseSession, formatDatabaseSessionTable } from "./database-session.js";
import { formatProxyTable, benchProxy } from "./proxy.js";
import { benchSessionToken } from "./session-token.js";

// The codec benchmark first: it runs in this process, before the proxy benchmark pins it to one core.
process.stderr.write("bench: session-token encode/decode\n");
const sessionToken = await benchSessionToken();
process.stderr.write("bench: bearer-token reads\n");
const bearer = await benchBearer();
process.stderr.write("bench: proxy requests/s\n");
const proxy = await benchProxy();
process.stderr.write(formatProxyTable(proxy));
// Last: its loads (a million rows per store) leave PostgreSQL and Redis busy for a while after.
process.stderr.write("bench: database-session read latency\n");
const databaseSession = await benchDatabaseSession();
process.stderr.write(formatDatabaseSessionTable(databaseSession));
process.stdout.write(`${JSON.stringify({ node: process.version, sessionToken, bearer, proxy, databaseSession }, null, 2)}\n`);
