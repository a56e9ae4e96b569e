/**
 * Runs the local IdP until SIGINT/SIGTERM, for the demo and browser tests:
 *
 *   tsx packages/local-idp/src/cli.ts --port 4000 --client-id latch-demo \
 *     --client-secret <secret> --redirect-uri http://127.0.0.1:3000/api/auth/callback/oidc
 *
 * `--redirect-uri` and `--post-logout-redirect-uri` may be repeated. Without
 * `--client-secret` the client is public (`token_endpoint_auth_method: none`).
 * The issuer is printed alone on the first line of stdout so scripts can read it.
 */
import { parseArgs } from "node:util";
import { startLocalIdP } from "./start-local-idp.js";

const USAGE =
  "usage: tsx packages/local-idp/src/cli.ts [--port 4000] --client-id <id> [--client-secret <secret>] " +
  "[--token-endpoint-auth-method client_secret_basic|client_secret_post|none] --redirect-uri <uri>... [--post-logout-redirect-uri <uri>...]";

const AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"] as const;
type AuthMethod = (typeof AUTH_METHODS)[number];

function isAuthMethod(value: string): value is AuthMethod {
  return (AUTH_METHODS as readonly string[]).includes(value);
}

function fail(message: string): never {
  console.error(`local-idp: ${message}\n${USAGE}`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        port: { type: "string", default: "0" },
        "client-id": { type: "string" },
        "client-secret": { type: "string" },
        "token-endpoint-auth-method": { type: "string" },
        "redirect-uri": { type: "string", multiple: true },
        "post-logout-redirect-uri": { type: "string", multiple: true },
      },
    });
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
})();

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid --port ${values.port}`);
const clientId = values["client-id"] ?? fail("--client-id is required");
const redirectUris = values["redirect-uri"] ?? fail("at least one --redirect-uri is required");
const method = values["token-endpoint-auth-method"];
if (method !== undefined && !isAuthMethod(method)) fail(`invalid --token-endpoint-auth-method ${method}`);

const idp = await startLocalIdP({
  port,
  clients: [
    {
      client_id: clientId,
      redirect_uris: redirectUris,
      ...(values["client-secret"] !== undefined ? { client_secret: values["client-secret"] } : {}),
      ...(method !== undefined && isAuthMethod(method) ? { token_endpoint_auth_method: method } : {}),
      ...(values["post-logout-redirect-uri"] ? { post_logout_redirect_uris: values["post-logout-redirect-uri"] } : {}),
    },
  ],
});
console.log(idp.issuer);
console.error(`local-idp: ${idp.issuer}/.well-known/openid-configuration (client ${clientId}); Ctrl+C to stop`);

function shutdown(): void {
  idp.close().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error("local-idp: close failed", error);
      process.exit(1);
    },
  );
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
