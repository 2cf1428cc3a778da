import assert from "node:assert/strict";
import { clientAddress, parseIp, TrustedProxies } from "./trusted_proxies.ts";

const headers = (init: Record<string, string>) => new Headers(init);

Deno.test("parseIp() reads IPv4, IPv6 and IPv4-mapped IPv6, and refuses names", () => {
  assert.deepEqual(parseIp("192.0.2.1"), new Uint8Array([192, 0, 2, 1]));
  assert.deepEqual(parseIp("::ffff:192.0.2.1"), new Uint8Array([192, 0, 2, 1]));
  assert.equal(parseIp("[2001:db8::1]")?.length, 16);
  assert.equal(parseIp("fe80::1%eth0")?.[0], 0xfe);
  for (const bad of ["unknown", "256.0.0.1", "1.2.3", "1::2::3", "1:2:3:4:5:6:7:8:9", ""]) {
    assert.equal(parseIp(bad), undefined, bad);
  }
});

Deno.test("TrustedProxies.parse() reads addresses and CIDR ranges and names a bad entry", () => {
  const proxies = TrustedProxies.parse("10.0.0.0/8, 192.168.1.7 ,fd00::/8");
  assert.equal(proxies.size, 3);
  assert.ok(proxies.has("10.200.0.1"));
  assert.ok(proxies.has("192.168.1.7"));
  assert.ok(!proxies.has("192.168.1.8"));
  assert.ok(proxies.has("fd12::1"));
  assert.ok(!proxies.has("fe00::1"));
  assert.equal(TrustedProxies.parse("none").size, 0);
  for (const bad of ["10.0.0.0/33", "proxy.local", "10.0.0.0/", "::/129", "1.2.3.4/8/8"]) {
    assert.throws(() => TrustedProxies.parse(bad), new RegExp(`got ${bad.replaceAll(".", "\\.")}`));
  }
});

Deno.test("clientAddress() ignores forwarding headers from a peer that is not a trusted proxy", () => {
  const trusted = TrustedProxies.parse("10.0.0.1");
  const forged = headers({ "x-forwarded-for": "203.0.113.9", forwarded: "for=203.0.113.9" });
  assert.equal(clientAddress(forged, "198.51.100.4", trusted), "198.51.100.4");
  assert.equal(clientAddress(forged, "10.0.0.1"), "10.0.0.1", "nobody trusted by default");
});

Deno.test("clientAddress() takes the right-most untrusted hop from a trusted proxy", () => {
  const trusted = TrustedProxies.parse("10.0.0.0/8");
  // The client wrote the left-most hop itself; the proxies appended the rest.
  const chain = headers({ "x-forwarded-for": "1.1.1.1, 203.0.113.9, 10.0.0.2" });
  assert.equal(clientAddress(chain, "10.0.0.1", trusted), "203.0.113.9");
  const standard = headers({
    forwarded: 'for=1.1.1.1, for="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.2',
    "x-forwarded-for": "9.9.9.9",
  });
  assert.equal(clientAddress(standard, "10.0.0.1", trusted), "2001:db8:cafe::17");
  assert.equal(
    clientAddress(headers({ "x-forwarded-for": "198.51.100.7:5123" }), "10.0.0.1", trusted),
    "198.51.100.7",
  );
  assert.equal(clientAddress(headers({}), "10.0.0.1", trusted), "10.0.0.1", "no header");
  assert.equal(
    clientAddress(headers({ forwarded: "for=unknown" }), "10.0.0.1", trusted),
    "10.0.0.1",
    "a hop that is not an address counts under the proxy",
  );
  assert.equal(
    clientAddress(headers({ "x-forwarded-for": "10.0.0.3, 10.0.0.2" }), "10.0.0.1", trusted),
    "10.0.0.3",
    "all hops trusted: the left-most",
  );
});
