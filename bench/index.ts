/**
 * `npm run bench`: every benchmark, one after the other, as one JSON document on stdout —
 * `sessionToken` (bench/session-token.ts), `authCall` (bench/auth-call.ts), `bearer`
 * (bench/bearer.ts), `proxy` (bench/proxy.ts: the served apps), `databaseSession`
 * (bench/database-session.ts), and `summary` (bench/summary.ts: the targets, met or
 * missed). Progress and short tables go to stderr. Child processes (builds, servers) are stopped
 * and the database-session data removed on exit, even on failure.
 */
import { benchAuthCall } from "./auth-call.js";
import { benchBearer } from "./bearer.js";
import { benchDatabaseSession, formatDatabaseSessionTable } from "./database-session.js";
import { formatProxyTable, benchProxy } from "./proxy.js";
import { benchSessionToken } from "./session-token.js";
import { formatSummaryTable, summarize } from "./summary.js";

// The codec benchmarks first, before the served apps load the machine (benchProxy pins this
// process to one core while it runs and gives the CPUs back after).
process.stderr.write("bench: session-token encode/decode\n");
const sessionToken = await benchSessionToken();
process.stderr.write("bench: bearer-token reads\n");
const bearer = await benchBearer();
process.stderr.write("bench: served apps (protected page, session route)\n");
const proxy = await benchProxy();
process.stderr.write(formatProxyTable(proxy));
// After the served apps: it runs latch from dist, which they rebuild when stale.
process.stderr.write("bench: auth() in-process reads\n");
const authCall = await benchAuthCall();
// Last: its loads (a million rows per store) leave PostgreSQL and Redis busy for a while after.
process.stderr.write("bench: database-session read latency\n");
const databaseSession = await benchDatabaseSession();
process.stderr.write(formatDatabaseSessionTable(databaseSession));
const summary = summarize(sessionToken, authCall, proxy);
process.stderr.write(formatSummaryTable(summary));
process.stdout.write(`${JSON.stringify({ node: process.version, summary, sessionToken, authCall, bearer, proxy, databaseSession }, null, 2)}\n`);
