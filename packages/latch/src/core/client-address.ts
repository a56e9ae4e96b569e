/**
 * The client address a request came from, as rate limiting keys it: taken from
 * `X-Forwarded-For` only as far as the configured proxies vouch for it, and grouped so that one
 * client cannot rotate out of its bucket — an IPv6 client owns a whole /64, and an IPv4 address
 * written as IPv4-mapped IPv6 is the same IPv4 client.
 */
import type { RateLimitOptions } from "../types.js";

/** The entry of `X-Forwarded-For` that the nearest `trustedProxies` proxies vouch for. */
export function forwardedAddress(header: string | null, trustedProxies: number): string | undefined {
  if (!header || trustedProxies < 1) return undefined;
  const entries = header.split(",").map((entry) => entry.trim()).filter((entry) => entry.length > 0);
  if (entries.length === 0) return undefined;
  // Fewer entries than proxies: the leftmost is the farthest hop anyone recorded.
  return entries[Math.max(0, entries.length - trustedProxies)];
}

function ipv4Octets(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const octets: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const value = Number(part);
    if (value > 255) return undefined;
    octets.push(value);
  }
  return octets;
}

/** Eight 16-bit groups of an IPv6 address, or undefined when it is not one. */
function ipv6Groups(input: string): number[] | undefined {
  let rest = input;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes its two hex groups.
  const lastColon = rest.lastIndexOf(":");
  if (lastColon >= 0 && rest.includes(".", lastColon)) {
    const octets = ipv4Octets(rest.slice(lastColon + 1));
    if (!octets) return undefined;
    const [a, b, c, d] = octets as [number, number, number, number];
    rest = `${rest.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = rest.split("::");
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === "") return [];
    const groups: number[] = [];
    for (const group of part.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
      groups.push(Number.parseInt(group, 16));
    }
    return groups;
  };
  const head = parse(halves[0]!);
  const after = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !after) return undefined;
  const explicit = head.length + after.length;
  if (halves.length === 1) return explicit === 8 ? head : undefined;
  if (explicit > 7) return undefined;
  return [...head, ...new Array<number>(8 - explicit).fill(0), ...after];
}

/**
 * The rate-limit bucket of an address: an IPv4 address as is, an IPv6 address by its /64
 * (IPv4-mapped addresses count as the IPv4 address). Ports, brackets and zone ids are ignored.
 * Undefined when the text is not an IP address.
 */
export function addressBucket(raw: string): string | undefined {
  let text = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(":"));
  const zone = text.indexOf("%");
  if (zone >= 0) text = text.slice(0, zone);
  const v4 = ipv4Octets(text);
  if (v4) return v4.join(".");
  const groups = ipv6Groups(text);
  if (!groups) return undefined;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join(".");
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(":")}::/64`;
}

/** The rate-limit bucket of the request's client, or undefined when it cannot be known. */
export function clientBucket(request: Request, options: RateLimitOptions | undefined): string | undefined {
  const address = options?.clientAddress ? options.clientAddress(request) : forwardedAddress(request.headers.get("x-forwarded-for"), options?.trustedProxies ?? 1);
  return address ? addressBucket(address) : undefined;
}

/**
 * The request's client address as text (not grouped), or undefined when it cannot be known. A
 * zone id is kept only when it is one (letters, digits, `_.-`): whatever else follows `%` is free
 * text a client may have written, and this text is recorded (audit events).
 */
export function clientAddress(request: Request, options: RateLimitOptions | undefined): string | undefined {
  const address = options?.clientAddress ? options.clientAddress(request) : forwardedAddress(request.headers.get("x-forwarded-for"), options?.trustedProxies ?? 1);
  if (typeof address !== "string" || addressBucket(address) === undefined) return undefined;
  const text = address.trim();
  const zone = text.indexOf("%");
  if (zone < 0) return text;
  const tail = text.slice(zone + 1);
  const id = /^[A-Za-z0-9_.-]{1,32}/.exec(tail)?.[0];
  // Whatever followed the zone id (a port after a bracket, say) goes with the free text.
  return id === undefined ? text.slice(0, zone) : `${text.slice(0, zone)}%${id}`;
}
