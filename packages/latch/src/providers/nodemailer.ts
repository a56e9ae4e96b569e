import { verificationMessage } from "../core/email/message.js";
import type { EmailConfig, EmailServer, EmailUserConfig, SendVerificationRequestParams } from "../types.js";

/** What latch uses of Nodemailer: typed here so that nodemailer stays an optional peer. */
interface Transport {
  sendMail(message: { to: { name: string; address: string }; from: string; subject: string; text: string; html: string }): Promise<{ rejected?: unknown[]; pending?: unknown[] }>;
  close?(): void;
}
type CreateTransport = (server: EmailServer) => Transport;

function findCreateTransport(module: unknown): CreateTransport | undefined {
  if (typeof module !== "object" || module === null) return undefined;
  const named: unknown = (module as { createTransport?: unknown }).createTransport;
  if (typeof named === "function") return named as CreateTransport;
  const fallback: unknown = (module as { default?: { createTransport?: unknown } }).default?.createTransport;
  return typeof fallback === "function" ? (fallback as CreateTransport) : undefined;
}

/** Loads nodemailer when the first message is sent, so apps that never send one need not install it. */
async function loadNodemailer(): Promise<CreateTransport> {
  let module: unknown;
  try {
    module = await import("nodemailer");
  } catch (error) {
    throw new Error('latch: the Nodemailer provider needs the "nodemailer" package (>= 7.0.7): npm install nodemailer', { cause: error });
  }
  const createTransport = findCreateTransport(module);
  if (!createTransport) throw new Error('latch: the "nodemailer" package has no createTransport; install nodemailer >= 7.0.7');
  return createTransport;
}

/** Sends latch's sign-in email (see `verificationMessage`), in the pages' language, through the provider's SMTP server. */
async function sendVerificationRequest(params: SendVerificationRequestParams): Promise<void> {
  const { identifier, url, provider, theme, locale } = params;
  // Checked when a link is sent, not when the config is built: `next build` imports the config.
  if (provider.server === undefined) throw new Error(`latch: the email provider "${provider.id}" has no \`server\`: pass an SMTP URL or Nodemailer transport options`);
  const host = new URL(url).host;
  const from = provider.from ?? `no-reply@${new URL(url).hostname}`;
  const message = verificationMessage({ url, host, maxAge: provider.maxAge ?? 600, theme, locale });
  const transport = (await loadNodemailer())(provider.server);
  try {
    // An address object, not a string: the recipient is never parsed again.
    const result = await transport.sendMail({ to: { name: "", address: identifier }, from, ...message });
    const failed = [...(result.rejected ?? []), ...(result.pending ?? [])];
    if (failed.length > 0) throw new Error(`latch: the SMTP server of "${provider.id}" did not accept the sign-in email`);
  } finally {
    transport.close?.();
  }
}

/** What `Nodemailer()` accepts: the SMTP `server` (needed to send) and the usual email options. */
export type NodemailerUserConfig<Id extends string = string> = EmailUserConfig<Id>;

/**
 * Sign-in links sent by email through an SMTP server, with Nodemailer (Auth.js's `nodemailer`
 * provider). Install `nodemailer` (>= 7.0.7) next to latch; it is loaded when the first email is
 * sent.
 *
 * latch's version of the flow: the address is NFKC-normalized, then must be exactly one plain
 * address; links live 10 minutes, are stored hashed, work once, and are built from `AUTH_URL`;
 * opening a link shows a "Continue" button and only its POST signs in, so mail scanners cannot
 * use or burn it; sends are throttled per address and per client address. The email never
 * contains the address, and speaks the language the built-in pages speak for the request that
 * asked for it (the `locale` option, or `Accept-Language`). An adapter with
 * `createVerificationToken`, `useVerificationToken`, `getUserByEmail`, `createUser` and
 * `updateUser` is required.
 *
 * Pre-account hijacking: when a link signs in a user stored with `emailVerified: null` (say,
 * someone signed up with this address and a password and never confirmed it), latch sets
 * `emailVerified`, ends that user's other sessions, and calls `events.signIn` with
 * `emailVerifiedNow: true` — remove there what was set up before the address was proven: a
 * password, provider accounts linked to that user.
 *
 * @example
 * ```ts
 * import Nodemailer from "latch/providers/nodemailer";
 * NextAuth({
 *   adapter,
 *   providers: [Nodemailer({ server: process.env.EMAIL_SERVER!, from: "Acme <login@acme.test>" })],
 *   events: {
 *     async signIn({ user, emailVerifiedNow }) {
 *       if (emailVerifiedNow) await db.users.clearPassword(user.id!);
 *     },
 *   },
 * });
 * ```
 */
export default function Nodemailer<const Id extends string = "nodemailer">(options?: NodemailerUserConfig<Id>): EmailConfig<NoInfer<Id>>;
export default function Nodemailer(options?: undefined): EmailConfig<"nodemailer">;
export default function Nodemailer(options: NodemailerUserConfig = {}): EmailConfig {
  return { id: "nodemailer", name: "Email", maxAge: 10 * 60, sendVerificationRequest, ...options, type: "email" };
}
