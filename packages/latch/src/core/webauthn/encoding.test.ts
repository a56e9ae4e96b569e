import { describe, expect, it } from "vitest";
import { base64ToBytes, bytesToBase64, bytesToBase64url, knownTransports, storedCredentialId, stringToTransports, transportsToString, wireCredentialId } from "./encoding.js";

describe("WebAuthn encodings", () => {
  it("round-trips every byte value through base64 and base64url, as Buffer encodes them", () => {
    for (let length = 0; length < 70; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + length) % 256);
      expect(bytesToBase64(bytes)).toBe(Buffer.from(bytes).toString("base64"));
      expect(bytesToBase64url(bytes)).toBe(Buffer.from(bytes).toString("base64url"));
      expect(base64ToBytes(bytesToBase64(bytes))).toEqual(bytes);
      expect(base64ToBytes(bytesToBase64url(bytes))).toEqual(bytes);
    }
  });

  it("refuses text that is not base64", () => {
    for (const text of ["!!!!", "a", "ab=c", "a b c d", "abc===", "é"]) expect(base64ToBytes(text)).toBeUndefined();
  });

  it("converts credential ids between the wire (base64url) and Auth.js's stored form (base64)", () => {
    const id = Buffer.from([0xfb, 0xff, 0x3e, 0x01, 0x02]);
    expect(storedCredentialId(id.toString("base64url"))).toBe(id.toString("base64"));
    expect(wireCredentialId(id.toString("base64"))).toBe(id.toString("base64url"));
    expect(storedCredentialId("")).toBeUndefined();
    expect(storedCredentialId("***")).toBeUndefined();
  });

  it("stores transports comma-separated, as Auth.js does", () => {
    expect(transportsToString(["internal", "hybrid"])).toBe("internal,hybrid");
    expect(transportsToString([])).toBeNull();
    expect(transportsToString(undefined)).toBeNull();
    expect(stringToTransports("internal,hybrid")).toEqual(["internal", "hybrid"]);
    expect(stringToTransports(null)).toBeUndefined();
  });

  it("keeps only known transport names, each once, from the browser and from the database", () => {
    expect(knownTransports(["usb", "nfc", "ble", "smart-card", "hybrid", "cable", "internal"])).toEqual(["usb", "nfc", "ble", "smart-card", "hybrid", "cable", "internal"]);
    expect(knownTransports(["usb", { evil: 1 }, 5, null, "usb", "USB", "laser"])).toEqual(["usb"]);
    for (const value of ["internal", { 0: "usb" }, 7, null, undefined]) expect(knownTransports(value)).toEqual([]);
    expect(transportsToString("internal")).toBeNull();
    expect(transportsToString([{}, "internal"])).toBe("internal");
    expect(stringToTransports("internal,[object Object],,usb")).toEqual(["internal", "usb"]);
    expect(stringToTransports("laser")).toBeUndefined();
  });
});
