/**
 * The client side of the RFC 6455 §4 opening handshake: the request, the accept key, and the
 * parsing of the server's HTTP/1.1 answer.
 * @module
 */
import { type BufferedConn, type Deadline } from "./_ws_socket.ts";

const ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const MAX_RESPONSE_HEAD_BYTES = 16 * 1024;

/**
 * The `Sec-WebSocket-Accept` value a server must answer to `key`:
 * base64(SHA-1(key + the RFC 6455 GUID)).
 *
 * @example RFC 6455 §1.3
 * ```ts
 * import assert from "node:assert/strict";
 * import { computeAcceptKey } from "./ws_peer.ts";
 *
 * assert.equal(await computeAcceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
 * ```
 */
export async function computeAcceptKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-1",
    new TextEncoder().encode(key + ACCEPT_GUID),
  );
  return bytesToBase64(new Uint8Array(digest));
}

/**
 * The server did not accept the WebSocket upgrade: it answered another status than 101, or a 101
 * without the headers RFC 6455 §4.1 requires.
 */
export class HandshakeError extends Error {
  /** HTTP status of the answer; 0 when the status line could not be parsed. */
  readonly status: number;
  /** Body of a non-101 answer, decoded as UTF-8; empty for a 101. */
  readonly body: string;
  /** Headers of the answer. */
  readonly headers: Headers;

  /** @param message sentence case, no final period */
  constructor(
    message: string,
    answer: { status: number; body: string; headers: Headers },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "HandshakeError";
    this.status = answer.status;
    this.body = answer.body;
    this.headers = answer.headers;
  }
}

/** The status line and headers of an HTTP/1.1 response. */
interface ResponseHead {
  status: number;
  statusText: string;
  headers: Headers;
}

/** What the opening handshake request carries besides the URL and key. */
export interface HandshakeRequestOptions {
  /** Subprotocols to offer. */
  protocols?: string[];
  /** `Origin` header value. */
  origin?: string;
  /** Headers to add, replace, or (with `null`) drop. */
  headers?: Record<string, string | null>;
}

/**
 * Send the opening handshake on `socket` and read the answer up to the first frame byte.
 * Returns the negotiated subprotocol ("" if none) and the headers of the 101.
 * @throws {HandshakeError} when the server does not answer a valid 101
 */
export async function runHandshake(
  socket: BufferedConn,
  url: URL,
  options: HandshakeRequestOptions,
  deadline: Deadline,
): Promise<{ protocol: string; headers: Headers }> {
  // A test that overrides the key still gets the answer checked against the key it sent.
  const keyOverride = Object.entries(options.headers ?? {}).find(([name]) =>
    name.toLowerCase() === "sec-websocket-key"
  );
  const key = keyOverride === undefined ? randomHandshakeKey() : keyOverride[1] ?? "";
  const request = buildHandshakeRequest(url, key, options);
  await socket.write(new TextEncoder().encode(request), deadline, "Cannot send the handshake");
  const head = await readResponseHead(socket, deadline);
  if (head.status !== 101) {
    const body = new TextDecoder().decode(await readResponseBody(socket, head, deadline));
    throw new HandshakeError(
      `WebSocket handshake failed: server answered ${head.status} ${head.statusText}`,
      { status: head.status, body, headers: head.headers },
    );
  }
  const protocol = await checkUpgradeAnswer(head, key, options.protocols ?? []);
  return { protocol, headers: head.headers };
}

/** A fresh `Sec-WebSocket-Key`: 16 random bytes in base64. */
function randomHandshakeKey(): string {
  return bytesToBase64(crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * The request text. `options.headers` replace the standard header of the same name (compared
 * without case), or drop it when `null`, so a test can send a broken upgrade; other names are
 * appended.
 */
function buildHandshakeRequest(
  url: URL,
  key: string,
  options: HandshakeRequestOptions,
): string {
  const headers: [string, string][] = [
    ["Host", url.host],
    ["Upgrade", "websocket"],
    ["Connection", "Upgrade"],
    ["Sec-WebSocket-Key", key],
    ["Sec-WebSocket-Version", "13"],
  ];
  if (options.protocols !== undefined && options.protocols.length > 0) {
    headers.push(["Sec-WebSocket-Protocol", options.protocols.join(", ")]);
  }
  if (options.origin !== undefined) headers.push(["Origin", options.origin]);
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const index = headers.findIndex(([known]) => known.toLowerCase() === name.toLowerCase());
    if (value === null) {
      if (index >= 0) headers.splice(index, 1);
    } else if (index >= 0) {
      headers[index] = [name, value];
    } else {
      headers.push([name, value]);
    }
  }
  const lines = headers.map(([name, value]) => `${name}: ${value}`);
  return `GET ${url.pathname}${url.search} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`;
}

/** Parse the status line and headers (the text before the blank line). */
function parseResponseHead(text: string): ResponseHead {
  const [statusLine = "", ...headerLines] = text.split("\r\n");
  const match = /^HTTP\/1\.1 (\d{3})(?: (.*))?$/.exec(statusLine);
  const headers = new Headers();
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    try {
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    } catch {
      // A header Fetch refuses to hold (bad name or value) is not ours to judge; skip it.
    }
  }
  if (match === null) {
    throw new HandshakeError(
      `WebSocket handshake failed: status line is not HTTP/1.1: ${JSON.stringify(statusLine)}`,
      { status: 0, body: text, headers },
    );
  }
  return { status: Number(match[1]), statusText: match[2] ?? "", headers };
}

/**
 * Check a 101 answer against RFC 6455 §4.1 and return the negotiated subprotocol ("" if none).
 * @throws {HandshakeError} when a required header is missing or wrong
 */
async function checkUpgradeAnswer(
  head: ResponseHead,
  key: string,
  offeredProtocols: readonly string[],
): Promise<string> {
  const fail = (detail: string): never => {
    throw new HandshakeError(`WebSocket handshake failed: ${detail}`, {
      status: head.status,
      body: "",
      headers: head.headers,
    });
  };
  const upgrade = head.headers.get("upgrade") ?? "";
  if (upgrade.toLowerCase() !== "websocket") fail(`Upgrade header is "${upgrade}"`);
  const connection = head.headers.get("connection") ?? "";
  if (!connection.toLowerCase().split(/\s*,\s*/).includes("upgrade")) {
    fail(`Connection header is "${connection}"`);
  }
  const accept = head.headers.get("sec-websocket-accept");
  const expected = await computeAcceptKey(key);
  if (accept !== expected) fail(`Sec-WebSocket-Accept is "${accept}", expected "${expected}"`);
  const protocol = head.headers.get("sec-websocket-protocol") ?? "";
  if (protocol !== "" && !offeredProtocols.includes(protocol)) {
    fail(`server chose subprotocol "${protocol}" that was not offered`);
  }
  return protocol;
}

/**
 * Decode a `Transfer-Encoding: chunked` body (RFC 9112 §7.1), ignoring extensions and trailers.
 * Returns `null` while the bytes do not hold the whole body.
 */
function decodeChunked(bytes: Uint8Array): Uint8Array | null {
  const parts: Uint8Array[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = indexOfCrlf(bytes, at);
    if (lineEnd < 0) return null;
    const sizeText = new TextDecoder().decode(bytes.subarray(at, lineEnd)).split(";")[0] ?? "";
    const size = Number.parseInt(sizeText.trim(), 16);
    if (!Number.isFinite(size) || size < 0) {
      throw new SyntaxError(`Cannot decode chunked body: bad chunk size "${sizeText}"`);
    }
    at = lineEnd + 2;
    if (size === 0) {
      return bytes.length >= at + 2 ? concatBytes(parts) : null;
    }
    if (bytes.length < at + size + 2) return null;
    parts.push(bytes.subarray(at, at + size));
    at += size + 2;
  }
}

/** Index of the first CRLF at or after `from`, or -1. */
function indexOfCrlf(bytes: Uint8Array, from: number): number {
  for (let i = from; i + 1 < bytes.length; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) return i;
  }
  return -1;
}

/** Concatenate byte arrays into a new one. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function bytesToBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

async function readResponseHead(socket: BufferedConn, deadline: Deadline): Promise<ResponseHead> {
  const what = "Cannot read the handshake answer";
  for (;;) {
    const bytes = socket.buffered;
    const end = indexOfBlankLine(bytes);
    if (end >= 0) {
      const head = parseResponseHead(new TextDecoder().decode(bytes.subarray(0, end)));
      socket.consume(end + 4);
      return head;
    }
    if (bytes.length > MAX_RESPONSE_HEAD_BYTES || !(await socket.fill(deadline, what))) {
      throw new HandshakeError(
        `WebSocket handshake failed: no complete answer head in ${bytes.length} bytes`,
        { status: 0, body: new TextDecoder().decode(bytes), headers: new Headers() },
      );
    }
  }
}

async function readResponseBody(
  socket: BufferedConn,
  head: ResponseHead,
  deadline: Deadline,
): Promise<Uint8Array> {
  const what = "Cannot read the handshake answer body";
  const contentLength = head.headers.get("content-length");
  const chunked = /chunked/i.test(head.headers.get("transfer-encoding") ?? "");
  for (;;) {
    const bytes = socket.buffered;
    if (contentLength !== null && bytes.length >= Number(contentLength)) {
      return bytes.slice(0, Number(contentLength));
    }
    if (chunked) {
      const body = decodeChunked(bytes);
      if (body !== null) return body;
    }
    if (!(await socket.fill(deadline, what))) return bytes.slice();
  }
}

function indexOfBlankLine(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (
      bytes[i] === 0x0d && bytes[i + 1] === 0x0a && bytes[i + 2] === 0x0d && bytes[i + 3] === 0x0a
    ) {
      return i;
    }
  }
  return -1;
}
