import assert from "node:assert/strict";
import {
  certificateHash,
  createSelfSignedCertificate,
  MAX_HASHED_VALIDITY_MS,
} from "./certificate.ts";

Deno.test("createSelfSignedCertificate() makes a P-256 certificate whose hash is its DER's", async () => {
  const nowMs = Date.UTC(2026, 10, 26, 12, 0, 0);
  const pair = await createSelfSignedCertificate({ hostname: "127.0.0.1", nowMs });
  assert.match(
    pair.certPem,
    /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/,
  );
  assert.match(pair.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  assert.deepEqual(pair.sha256, await certificateHash(pair.certPem));
  assert.equal(pair.sha256.length, 32);
  // Valid from 5 minutes ago for 10 days: under the 14 days browsers allow for hashed certificates.
  assert.equal(pair.notAfterMs, nowMs - 5 * 60_000 + 10 * 86_400_000);
  // The key imports back as an ECDSA P-256 signing key.
  const der = Uint8Array.from(
    atob(pair.keyPem.replace(/-----[A-Z ]+-----|\s/g, "")),
    (char) => char.charCodeAt(0),
  );
  const key = await crypto.subtle.importKey(
    "pkcs8",
    der,
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["sign"],
  );
  assert.equal((key.algorithm as EcKeyAlgorithm).namedCurve, "P-256");
  const other = await createSelfSignedCertificate({ nowMs });
  assert.notDeepEqual(other.sha256, pair.sha256, "a fresh key each time");
});

Deno.test("createSelfSignedCertificate() refuses a validity browsers would not accept", async () => {
  await assert.rejects(
    createSelfSignedCertificate({ validityMs: MAX_HASHED_VALIDITY_MS + 1 }),
    /Invalid certificate validity: .* expected up to 14 days/,
  );
});

Deno.test("certificateHash() needs a PEM certificate", async () => {
  await assert.rejects(certificateHash("not a certificate"), /no PEM CERTIFICATE block/);
});
