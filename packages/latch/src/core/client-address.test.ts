import { describe, expect, it } from "vitest";
import { addressBucket, clientBucket, forwardedAddress } from "./client-address.js";

describe("forwardedAddress", () => {
  it("takes the entry the trusted proxies appended, counting from the right", () => {
    expect(forwardedAddress("203.0.113.1", 1)).toBe("203.0.113.1");
    expect(forwardedAddress("spoofed, 203.0.113.1", 1)).toBe("203.0.113.1");
    expect(forwardedAddress("client, cdn-edge", 2)).toBe("client");
    expect(forwardedAddress(" a , b , c ", 2)).toBe("b");
  });

  it("falls back to the leftmost entry when there are fewer entries than proxies, and to nothing without a header", () => {
    expect(forwardedAddress("only", 3)).toBe("only");
    expect(forwardedAddress(null, 1)).toBeUndefined();
    expect(forwardedAddress("", 1)).toBeUndefined();
    expect(forwardedAddress(" , ,", 1)).toBeUndefined();
    expect(forwardedAddress("203.0.113.1", 0)).toBeUndefined();
  });
});

describe("addressBucket", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["203.0.113.7:51234", "203.0.113.7"],
    ["010.001.000.001", "10.1.0.1"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["::FFFF:cb00:7107", "203.0.113.7"],
    ["[::ffff:203.0.113.7]:443", "203.0.113.7"],
    ["2001:db8:1:2::1", "2001:db8:1:2::/64"],
    ["2001:0DB8:0001:0002:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"],
    ["[2001:db8:1:2::5]:8443", "2001:db8:1:2::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["2001:db8::", "2001:db8:0:0::/64"],
    ["64:ff9b::192.0.2.33", "64:ff9b:0:0::/64"],
  ])("%s → %s", (input, bucket) => {
    expect(addressBucket(input)).toBe(bucket);
  });

  it.each(["", "unknown", "203.0.113", "203.0.113.256", "1.2.3.4.5", "2001:db8::1::2", "2001:db8:1:2:3:4:5:6:7", "12345::1", "::ffff:1.2.3.999", "g::1", "[::1", "1.2.3.4:port", "<script>"])(
    "refuses %j",
    (input) => {
      expect(addressBucket(input)).toBeUndefined();
    },
  );

  it("puts every address of one /64 in one bucket and neighbouring /64s in different ones", () => {
    const hosts = ["2001:db8:aa:bb::1", "2001:db8:aa:bb:1234:5678:9abc:def0", "2001:db8:aa:bb:ffff::"];
    expect(new Set(hosts.map(addressBucket)).size).toBe(1);
    expect(addressBucket("2001:db8:aa:bc::1")).not.toBe(addressBucket(hosts[0]!));
  });
});

describe("clientBucket", () => {
  const request = (headers: Record<string, string>) => new Request("http://127.0.0.1/api/auth/callback/credentials", { method: "POST", headers });

  it("uses X-Forwarded-For with one trusted proxy by default", () => {
    expect(clientBucket(request({ "x-forwarded-for": "9.9.9.9, 2001:db8:1:2::3" }), undefined)).toBe("2001:db8:1:2::/64");
  });

  it("prefers the app's clientAddress, and gives nothing for an address it cannot read", () => {
    const options = { clientAddress: (r: Request) => r.headers.get("x-real-ip") };
    expect(clientBucket(request({ "x-real-ip": "192.0.2.9", "x-forwarded-for": "1.1.1.1" }), options)).toBe("192.0.2.9");
    expect(clientBucket(request({ "x-forwarded-for": "1.1.1.1" }), options)).toBeUndefined();
    expect(clientBucket(request({ "x-forwarded-for": "not-an-ip" }), undefined)).toBeUndefined();
  });
});
