/**
 * Ephemeral certificates for WebTransport: an ECDSA P-256 key made with WebCrypto and a
 * self-signed X.509 certificate laid out by a small DER writer. Browsers accept such a
 * certificate without a CA when the page names its SHA-256 hash (`serverCertificateHashes`),
 * provided it is ECDSA and valid for at most 14 days. A public server passes a real certificate
 * instead (`--cert`/`--key`).
 *
 * Why our own ~100 lines and not an npm X.509 package: the maintained one
 * (`@peculiar/x509` 2.2) pulls eleven packages (eight ASN.1 schemas, a dependency-injection
 * container, tslib) into the server for one self-signed certificate a week; this file only
 * writes the eight DER types that one certificate needs, and WebCrypto does the cryptography.
 * @module
 */

/** A certificate and its key, as PEM text, with what a client needs to trust it. */
export interface CertificatePair {
  /** The certificate, PEM. */
  certPem: string;
  /** The PKCS #8 private key, PEM. */
  keyPem: string;
  /** SHA-256 of the DER certificate (what `serverCertificateHashes` names). */
  sha256: Uint8Array<ArrayBuffer>;
  /** When the certificate stops being valid, ms since the epoch. */
  notAfterMs: number;
}

/** Settings of {@linkcode createSelfSignedCertificate}. */
export interface SelfSignedOptions {
  /**
   * Host name or IP address the certificate names.
   * @default "localhost"
   */
  hostname?: string;
  /**
   * Validity; browsers refuse hashed certificates valid for more than 14 days.
   * @default 864000000 (10 days)
   */
  validityMs?: number;
  /**
   * Current time, ms since the epoch.
   * @default Date.now()
   */
  nowMs?: number;
}

const DAY_MS = 86_400_000;
/** Longest validity a browser accepts for a certificate it trusts by hash. */
export const MAX_HASHED_VALIDITY_MS = 14 * DAY_MS;

/** Make an ECDSA P-256 key and a self-signed certificate for it. */
export async function createSelfSignedCertificate(
  options: SelfSignedOptions = {},
): Promise<CertificatePair> {
  const validityMs = options.validityMs ?? 10 * DAY_MS;
  if (!(validityMs > 0 && validityMs <= MAX_HASHED_VALIDITY_MS)) {
    throw new RangeError(`Invalid certificate validity: ${validityMs} ms, expected up to 14 days`);
  }
  const hostname = options.hostname ?? "localhost";
  // A little before now, so a client whose clock is a few minutes behind still accepts it.
  const notBeforeMs = (options.nowMs ?? Date.now()) - 5 * 60_000;
  const notAfterMs = notBeforeMs + validityMs;
  const keys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive and without a leading zero byte
  const name = sequence(set(sequence(oid(OID_COMMON_NAME), utf8("arena-webtransport"))));
  const tbs = sequence(
    explicit(0, integer(new Uint8Array([2]))),
    integer(serial),
    sequence(oid(OID_ECDSA_SHA256)),
    name,
    sequence(utcTime(notBeforeMs), utcTime(notAfterMs)),
    name,
    spki,
    explicit(3, sequence(sequence(oid(OID_SUBJECT_ALT_NAME), octets(sequence(altName(hostname)))))),
  );
  const raw = new Uint8Array(
    await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, keys.privateKey, tbs),
  );
  const signature = sequence(integer(raw.subarray(0, 32)), integer(raw.subarray(32)));
  const der = sequence(tbs, sequence(oid(OID_ECDSA_SHA256)), bitString(signature));
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  return {
    certPem: pem("CERTIFICATE", der),
    keyPem: pem("PRIVATE KEY", pkcs8),
    sha256: new Uint8Array(await crypto.subtle.digest("SHA-256", der)),
    notAfterMs,
  };
}

/** SHA-256 of the first certificate in `certPem`. */
export async function certificateHash(certPem: string): Promise<Uint8Array<ArrayBuffer>> {
  const match = /-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/.exec(certPem);
  if (match === null) throw new TypeError("Cannot read certificate: no PEM CERTIFICATE block");
  const der = Uint8Array.from(atob(match[1]!.replace(/\s+/g, "")), (char) => char.charCodeAt(0));
  return new Uint8Array(await crypto.subtle.digest("SHA-256", der));
}

const OID_COMMON_NAME = [2, 5, 4, 3];
const OID_ECDSA_SHA256 = [1, 2, 840, 10045, 4, 3, 2];
const OID_SUBJECT_ALT_NAME = [2, 5, 29, 17];

function pem(label: string, der: Uint8Array): string {
  const base64 = btoa(String.fromCharCode(...der));
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** One DER element: tag, definite length, contents. */
function element(tag: number, ...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const lengthBytes: number[] = [];
  if (length < 0x80) lengthBytes.push(length);
  else {
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) {
      lengthBytes.unshift(rest & 0xff);
    }
    lengthBytes.unshift(0x80 | lengthBytes.length);
  }
  const out = new Uint8Array(1 + lengthBytes.length + length);
  out[0] = tag;
  out.set(lengthBytes, 1);
  let at = 1 + lengthBytes.length;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const sequence = (...parts: Uint8Array[]) => element(0x30, ...parts);
const set = (...parts: Uint8Array[]) => element(0x31, ...parts);
const octets = (bytes: Uint8Array) => element(0x04, bytes);
const utf8 = (text: string) => element(0x0c, new TextEncoder().encode(text));
const explicit = (tagNumber: number, inner: Uint8Array) => element(0xa0 | tagNumber, inner);
const bitString = (bytes: Uint8Array) => element(0x03, new Uint8Array([0]), bytes);

/** An unsigned big-endian integer: leading zeros dropped, a zero byte added if the top bit is set. */
function integer(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return (trimmed[0]! & 0x80) !== 0
    ? element(0x02, new Uint8Array([0]), trimmed)
    : element(0x02, trimmed);
}

function oid(arcs: number[]): Uint8Array {
  const bytes = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const groups = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) {
      groups.unshift((rest & 0x7f) | 0x80);
    }
    bytes.push(...groups);
  }
  return element(0x06, new Uint8Array(bytes));
}

/** UTCTime, `YYMMDDHHMMSSZ` (years 1950–2049). */
function utcTime(ms: number): Uint8Array {
  const text = new Date(ms).toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z";
  return element(0x17, new TextEncoder().encode(text));
}

/** A subjectAltName entry: `[7]` with the address bytes for an IPv4 address, else `[2]` DNS. */
function altName(hostname: string): Uint8Array {
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(hostname);
  if (ipv4 !== null) return element(0x87, new Uint8Array(ipv4.slice(1).map(Number)));
  return element(0x82, new TextEncoder().encode(hostname));
}
