/**
 * A real SMTP server on 127.0.0.1 (smtp-server, a random port, no TLS, authentication optional)
 * that keeps every message it accepts, decoded enough to read: the envelope, the headers, and the
 * text and HTML parts (quoted-printable and base64 undone).
 */
import type { AddressInfo, Server } from "node:net";
import { SMTPServer } from "smtp-server";

/** One accepted message. */
export interface ReceivedMail {
  /** Envelope recipients (RCPT TO), as the server received them. */
  recipients: string[];
  /** Header names lower-cased, folded lines joined. */
  headers: Map<string, string>;
  text: string;
  html: string;
  raw: string;
}

/** The running server and what it received. */
export interface Inbox {
  port: number;
  messages: ReceivedMail[];
  /** Makes the server refuse this recipient at RCPT TO (550). */
  refuse(address: string): void;
  close(): Promise<void>;
}

interface Part {
  headers: Map<string, string>;
  body: string;
}

function parsePart(raw: string): Part {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? "" : raw.slice(split).replace(/^\r?\n\r?\n/, "");
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeBody(part: Part): string {
  const encoding = part.headers.get("content-transfer-encoding")?.toLowerCase();
  if (encoding === "base64") return Buffer.from(part.body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (encoding === "quoted-printable") {
    const bytes = part.body.replace(/=\r?\n/g, "").replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    return Buffer.from(bytes, "latin1").toString("utf8");
  }
  return part.body;
}

/** Collects the decoded text/plain and text/html parts of a (multipart) message. */
function collect(part: Part, into: { text: string; html: string }): void {
  const type = part.headers.get("content-type") ?? "text/plain";
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.toLowerCase().startsWith("multipart/") && boundary) {
    const sections = part.body.split(`--${boundary}`).slice(1);
    for (const section of sections) {
      if (section.startsWith("--")) break;
      collect(parsePart(section.replace(/^\r?\n/, "")), into);
    }
    return;
  }
  if (type.toLowerCase().startsWith("text/html")) into.html += decodeBody(part);
  else if (type.toLowerCase().startsWith("text/plain")) into.text += decodeBody(part);
}

/** Starts the server; close it in `afterAll`. */
export async function startInbox(): Promise<Inbox> {
  const messages: ReceivedMail[] = [];
  const refused = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      callback(refused.has(address.address.toLowerCase()) ? Object.assign(new Error("No such user"), { responseCode: 550 }) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const top = parsePart(raw);
        const bodies = { text: "", html: "" };
        collect(top, bodies);
        // Kept before the server answers, so the sender's sendMail resolves after it is here.
        messages.push({ recipients: session.envelope.rcptTo.map((r) => r.address), headers: top.headers, ...bodies, raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve());
  });
  // smtp-server's own types import node:net as a default export, which this strict config cannot read.
  const listening = server.server as Server;
  const { port } = listening.address() as AddressInfo;
  return {
    port,
    messages,
    refuse: (address) => refused.add(address.toLowerCase()),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
