import { BatchReader, LIMITS, prefixBatch } from "../../shared/protocol/mod.ts";
import type { Channel, Wire, WireEvents } from "./wire.ts";

/** How to reach a server's WebTransport listener (what its `/transport` document says). */
export interface WebTransportTarget {
  /** e.g. `https://127.0.0.1:8001/`. */
  url: string;
  /** SHA-256 hashes (base64) of a self-signed certificate to trust; empty for a CA-signed one. */
  certificateHashes: readonly string[];
}

/**
 * A WebTransport session as a {@linkcode Wire}: the client opens one bidirectional stream for
 * the reliable batches (each prefixed by its length) and sends its inputs as datagrams; a batch
 * larger than a datagram, or sent while the previous datagram is still being written, goes on
 * the stream instead.
 */
export class WebTransportWire implements Wire {
  /** This is a WebTransport session. */
  readonly transport = "webtransport";
  readonly #session: WebTransport;
  readonly #events: WireEvents;
  #streamWriter: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #datagramWriter: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #open = false;
  #closed = false;

  /** Connect to `target` and report to `events` (a failure to connect is a close). */
  constructor(target: WebTransportTarget, events: WireEvents) {
    this.#events = events;
    const hashes = target.certificateHashes.map((hash) => ({
      algorithm: "sha-256",
      value: Uint8Array.from(atob(hash), (char) => char.charCodeAt(0)),
    }));
    this.#session = new WebTransport(
      target.url,
      hashes.length > 0 ? { serverCertificateHashes: hashes } : {},
    );
    this.#session.closed.then(
      (info: WebTransportCloseInfo | undefined) =>
        this.#end(info?.closeCode ?? 0, info?.reason ?? ""),
      (error: unknown) => this.#end(1006, error instanceof Error ? error.message : String(error)),
    );
    this.#start().catch((error: unknown) => {
      this.#end(1006, error instanceof Error ? error.message : String(error));
      try {
        this.#session.close();
      } catch {
        // Never opened.
      }
    });
  }

  /** Whether batches can be sent now. */
  get open(): boolean {
    return this.#open && !this.#closed;
  }

  async #start(): Promise<void> {
    await this.#session.ready;
    const stream = await this.#session.createBidirectionalStream();
    this.#streamWriter = stream.writable.getWriter();
    this.#streamWriter.closed.catch(() => {});
    this.#datagramWriter = this.#session.datagrams.writable.getWriter();
    this.#datagramWriter.closed.catch(() => {});
    this.#open = true;
    this.#read(stream.readable.getReader()).catch((error: unknown) => {
      this.close(1007, error instanceof Error ? error.message.slice(0, 100) : "Bad stream");
    });
    this.#readDatagrams().catch(() => {});
    this.#events.open();
  }

  async #read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const batches = new BatchReader(LIMITS.maxServerMessageBytes);
    for (;;) {
      const { value, done } = await reader.read();
      if (done || this.#closed) return;
      for (const batch of batches.push(value)) this.#events.message(batch);
    }
  }

  async #readDatagrams(): Promise<void> {
    const reader = this.#session.datagrams.readable.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done || this.#closed) return;
      this.#events.message(value);
    }
  }

  /** Send a batch as a datagram when asked and it fits, else on the stream. */
  send(bytes: Uint8Array<ArrayBuffer>, channel: Channel): void {
    const streamWriter = this.#streamWriter, datagramWriter = this.#datagramWriter;
    if (!this.open || streamWriter === undefined || datagramWriter === undefined) return;
    if (
      channel === "datagram" && bytes.length <= this.#session.datagrams.maxDatagramSize &&
      (datagramWriter.desiredSize ?? 0) > 0
    ) {
      datagramWriter.write(bytes.slice()).catch(() => {});
      return;
    }
    streamWriter.write(prefixBatch(bytes)).catch(() => {});
  }

  /** Close the session. */
  close(code: number, reason: string): void {
    if (this.#closed) return;
    try {
      this.#session.close({ closeCode: code, reason });
    } catch {
      // Not open yet or already closed: the closed promise reports it.
    }
  }

  #end(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#events.close(code, reason);
  }
}
