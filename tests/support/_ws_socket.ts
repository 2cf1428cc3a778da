/**
 * A TCP connection with a receive buffer, where every read and write waits at most until a
 * deadline. At most one read is in flight: a read that outlives its deadline is kept and handed to
 * the next caller, so no bytes are lost and no op is left behind.
 * @module
 */

/** A point in time (on `performance.now()`) by which a wait must end. */
export interface Deadline {
  /** `performance.now()` value at which the wait fails. */
  atMs: number;
  /** The timeout it was made from, for the error message. */
  timeoutMs: number;
}

/** A deadline `timeoutMs` from now. */
export function deadlineIn(timeoutMs: number): Deadline {
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new RangeError(`Cannot wait: timeout must be a finite number >= 0, got ${timeoutMs}`);
  }
  return { atMs: performance.now() + timeoutMs, timeoutMs };
}

/**
 * Settle like `promise`, or reject with `Deno.errors.TimedOut` once `deadline` passes.
 * `what` starts the error message, e.g. "Cannot receive a WebSocket event".
 */
export async function withDeadline<T>(
  promise: Promise<T>,
  deadline: Deadline,
  what: string,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Deno.errors.TimedOut(`${what}: nothing within ${deadline.timeoutMs} ms`));
    }, Math.max(0, deadline.atMs - performance.now()));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const READ_CHUNK_BYTES = 64 * 1024;

/** A buffered TCP connection; see the module doc. */
export class BufferedConn {
  readonly #conn: Deno.Conn;
  readonly #chunk = new Uint8Array(READ_CHUNK_BYTES);
  #buffer = new Uint8Array(READ_CHUNK_BYTES);
  #start = 0;
  #end = 0;
  #pendingRead: Promise<number | null> | null = null;
  #writing: Promise<void> = Promise.resolve();
  #ended = false;
  #closed = false;

  /** @param conn the connection; this object owns and closes it */
  constructor(conn: Deno.Conn) {
    this.#conn = conn;
  }

  /** The received bytes not yet consumed (a view, valid until the next `fill` or `consume`). */
  get buffered(): Uint8Array {
    return this.#buffer.subarray(this.#start, this.#end);
  }

  /** Drop the first `byteCount` buffered bytes. */
  consume(byteCount: number): void {
    this.#start = Math.min(this.#end, this.#start + byteCount);
    if (this.#start === this.#end) this.#start = this.#end = 0;
  }

  /**
   * Read more bytes into the buffer. Returns `false` once the peer ended the stream (or reset
   * it, or we closed it); the connection is then closed.
   * @throws {Deno.errors.TimedOut} when nothing arrives before `deadline`
   */
  async fill(deadline: Deadline, what: string): Promise<boolean> {
    if (this.#ended || this.#closed) return false;
    this.#pendingRead ??= this.#conn.read(this.#chunk).catch(() => null);
    const byteCount = await withDeadline(this.#pendingRead, deadline, what);
    this.#pendingRead = null;
    if (byteCount === null) {
      this.#ended = true;
      this.#closeConn();
      return false;
    }
    this.#append(this.#chunk.subarray(0, byteCount));
    return true;
  }

  /**
   * Write all of `bytes`, after any write already queued. On timeout the connection is closed,
   * since the half-written bytes leave the stream in an unknown state.
   * @throws {Deno.errors.TimedOut} when the bytes are not written before `deadline`
   */
  write(bytes: Uint8Array, deadline: Deadline, what: string): Promise<void> {
    const run = this.#writing.then(async () => {
      if (this.#closed) throw new Deno.errors.BadResource(`${what}: the socket is closed`);
      try {
        await withDeadline(this.#writeAll(bytes), deadline, what);
      } catch (error) {
        if (error instanceof Deno.errors.TimedOut) this.#closeConn();
        throw error;
      }
    });
    this.#writing = run.catch(() => {});
    return run;
  }

  /** Close the connection and wait for the read and write in flight to settle. */
  async close(): Promise<void> {
    this.#closeConn();
    await this.#pendingRead;
    this.#pendingRead = null;
    await this.#writing;
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    let at = 0;
    while (at < bytes.length) {
      at += await this.#conn.write(bytes.subarray(at));
    }
  }

  #closeConn(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed by Deno after an error: nothing left to release.
    }
  }

  #append(bytes: Uint8Array): void {
    const used = this.#end - this.#start;
    if (this.#end + bytes.length > this.#buffer.length) {
      if (used + bytes.length <= this.#buffer.length) {
        this.#buffer.copyWithin(0, this.#start, this.#end);
      } else {
        const grown = new Uint8Array(Math.max(used + bytes.length, this.#buffer.length * 2));
        grown.set(this.#buffer.subarray(this.#start, this.#end));
        this.#buffer = grown;
      }
      this.#start = 0;
      this.#end = used;
    }
    this.#buffer.set(bytes, this.#end);
    this.#end += bytes.length;
  }
}
