import {
  BatchReader,
  encodeBatch,
  FrameError,
  MessageKind,
  prefixBatch,
} from "../../shared/protocol/mod.ts";
import type { ClientSocket, ClientSocketEvents } from "./client_socket.ts";
import type { WebTransportCounters } from "./server_counters.ts";

/**
 * A server-side WebTransport session as a {@linkcode ClientSocket}: reliable batches go on the
 * one bidirectional stream the client opened, each prefixed by its length; the latest-only part
 * of a tick's message (snapshot, pong) goes as one datagram when it fits the session's datagram
 * size. While a datagram is being written at most one waits, the newest: a newer snapshot
 * replaces a waiting one, so a client gets the newest snapshot or nothing, never a backlog.
 */
export class WebTransportSocket implements ClientSocket {
  /** This is a WebTransport session. */
  readonly transport = "webtransport";
  readonly #session: WebTransport;
  readonly #stream: WebTransportBidirectionalStream;
  readonly #streamWriter: WritableStreamDefaultWriter<Uint8Array>;
  readonly #datagramWriter: WritableStreamDefaultWriter<Uint8Array>;
  readonly #counters: WebTransportCounters;
  readonly #maxBatchBytes: number;
  #queuedBytes = 0;
  #closed = false;
  #writingDatagram = false;
  #nextDatagram: Uint8Array | undefined;

  /**
   * @param session a ready session
   * @param stream the bidirectional stream the client opened first
   * @param counters the WebTransport counters to add to
   * @param maxBatchBytes longest batch a client may send
   */
  constructor(
    session: WebTransport,
    stream: WebTransportBidirectionalStream,
    counters: WebTransportCounters,
    maxBatchBytes: number,
  ) {
    this.#session = session;
    this.#stream = stream;
    this.#streamWriter = stream.writable.getWriter();
    this.#datagramWriter = session.datagrams.writable.getWriter();
    this.#counters = counters;
    this.#maxBatchBytes = maxBatchBytes;
    // A failed write means the session is ending; its `closed` promise reports how.
    this.#streamWriter.closed.catch(() => {});
    this.#datagramWriter.closed.catch(() => {});
  }

  /** Bytes written to the stream and not yet taken by the QUIC stack. */
  get bufferedAmount(): number {
    return this.#queuedBytes;
  }

  /** Read the stream and the datagrams, and report the session's end. */
  listen(events: ClientSocketEvents): void {
    let ended = false;
    const end = (code: number) => {
      if (ended) return;
      ended = true;
      this.#closed = true;
      events.end(code);
    };
    this.#session.closed.then(
      (info: WebTransportCloseInfo | undefined) => end(info?.closeCode ?? 0),
      () => end(1006),
    );
    this.#readStream(events).catch(() => {});
    this.#readDatagrams(events).catch(() => {});
  }

  async #readStream(events: ClientSocketEvents): Promise<void> {
    const batches = new BatchReader(this.#maxBatchBytes);
    const reader = this.#stream.readable.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done || this.#closed) return;
      let complete: Uint8Array[];
      try {
        complete = batches.push(value);
      } catch (error) {
        // A bad length prefix is a bad message: the connection answers it like any other.
        if (error instanceof FrameError) events.invalid(error);
        return;
      }
      for (const batch of complete) events.message(batch, "reliable");
    }
  }

  async #readDatagrams(events: ClientSocketEvents): Promise<void> {
    const reader = this.#session.datagrams.readable.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done || this.#closed) return;
      this.#counters.datagramsIn++;
      events.message(value, "datagram");
    }
  }

  /** Send the latest-only part as a datagram (or drop it), the rest on the stream. */
  send(bytes: Uint8Array, latestOnlyBytes: number): number {
    if (this.#closed) return 0;
    let sent = 0;
    let reliable = bytes;
    if (latestOnlyBytes > 0) {
      if (latestOnlyBytes <= this.#session.datagrams.maxDatagramSize) {
        reliable = bytes.subarray(latestOnlyBytes);
        // A copy: the caller's buffer is reused, and the datagram may wait for the one before.
        this.#sendDatagram(bytes.slice(0, latestOnlyBytes));
        sent += latestOnlyBytes;
      } else this.#counters.snapshotsOnStream++;
    }
    if (reliable.length > 0) {
      const framed = prefixBatch(reliable);
      this.#queuedBytes += framed.length;
      this.#streamWriter.write(framed).then(
        () => this.#queuedBytes -= framed.length,
        () => {},
      );
      sent += framed.length;
    }
    return sent;
  }

  /**
   * Write a datagram, or, while the one before is still being written, keep it as the next in
   * place of any datagram kept before it (which is dropped: a newer snapshot replaces it).
   */
  #sendDatagram(datagram: Uint8Array): void {
    if (this.#writingDatagram) {
      if (this.#nextDatagram !== undefined) this.#counters.datagramsDropped++;
      this.#nextDatagram = datagram;
      return;
    }
    this.#writingDatagram = true;
    this.#counters.datagramsOut++;
    this.#datagramWriter.write(datagram).then(() => {
      this.#writingDatagram = false;
      const next = this.#nextDatagram;
      this.#nextDatagram = undefined;
      if (next !== undefined && !this.#closed) this.#sendDatagram(next);
    }, () => {});
  }

  /** Close the session with `code` as its WebTransport close code. */
  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    // Chromium reports a session closed by Deno as "connection lost", without its code (measured
    // with Deno 2.9.6 and Debian's Chromium), so the code and reason also go on the stream as an
    // error frame, which the client reads first; the session closes once it had time to arrive.
    const farewell = prefixBatch(
      encodeBatch([{ kind: MessageKind.ERROR, code, reason: reason.slice(0, 256) }]),
    );
    const closeSession = () => {
      try {
        this.#session.close({ closeCode: code, reason });
      } catch {
        // Already closed by the peer; its closed promise reports it.
      }
    };
    this.#streamWriter.write(farewell)
      .then(() => this.#streamWriter.close())
      .then(() => new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS)))
      .then(closeSession, closeSession);
  }
}

/** How long a closing session waits for its farewell error frame to reach the client. */
const CLOSE_GRACE_MS = 100;
