/**
 * Shared pieces of the robustness suite: a real server on an ephemeral port with short deadlines,
 * a well-behaved client whose health is checked after each attack, attacker peers, and the tally
 * of what the suite tried.
 * @module
 */
import assert from "node:assert/strict";
import type { Room } from "../../server/rooms/room.ts";
import { type RunningServer, type ServerOptions, startServer } from "../../server/server.ts";
import type { ConnectionLimitsOptions } from "../../server/transport/connection_limits.ts";
import {
  type ClientMessage,
  type EventMessage,
  FrameDecoder,
  FrameEncoder,
  MessageKind,
  PROTOCOL_VERSION,
  type ServerMessage,
  SUBPROTOCOL,
  type WelcomeMessage,
} from "../../shared/protocol/mod.ts";
import { createDotsGame, type DotsState } from "../support/dots_game.ts";
import { WsPeer } from "../support/ws_peer.ts";

/**
 * Deadlines of the suite's servers, short so each case ends fast. Deno's ping timeout must stay
 * below the join and silence deadlines (see connection_limits.ts).
 */
export const SUITE_LIMITS: ConnectionLimitsOptions = {
  maxConnectionsPerAddress: 24,
  pingTimeoutMs: 800,
  joinTimeoutMs: 1200,
  messageTimeoutMs: 1200,
};

/** Largest gap between two snapshots of the good client that still counts as on time. */
export const MAX_SNAPSHOT_GAP_MS = 250;

/** What the suite tried, summed over every file; printed when the test process ends. */
export const tally = {
  /** Hostile cases whose answer was asserted. */
  cases: 0,
  /** Bad messages, frames, requests or connections sent. */
  badInputs: 0,
  /** Bytes of random or mutated payload sent by the fuzzer. */
  garbageBytes: 0,
  /** Inputs of well-behaved clients that were not applied. */
  lostInputs: 0,
  /** Windows in which a good client's health was checked. */
  goodWindows: 0,
  /** Longest gap between two snapshots a good client saw inside a checked window. */
  maxSnapshotGapMs: 0,
};

/** Figures measured by the suite (memory, times), printed with the tally. */
export const measured: Record<string, number> = {};

globalThis.addEventListener("unload", () => {
  if (tally.cases === 0) return;
  console.log(`robustness tally: ${JSON.stringify(tally)}`);
  if (Object.keys(measured).length > 0) {
    console.log(`robustness measured: ${JSON.stringify(measured)}`);
  }
});

/** Count one asserted case and the bad inputs it sent. */
export function countCase(badInputs = 1): void {
  tally.cases++;
  tally.badInputs += badInputs;
}

/** A server of the dots game on 127.0.0.1 with the suite's limits, on the real clock. */
export interface SuiteServer {
  server: RunningServer;
  /** The dots state of a room, to count the inputs that really moved a player. */
  state(roomId: string): DotsState;
  room(roomId: string): Room;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Start a {@linkcode SuiteServer}; dispose it with `await using`. */
export async function startSuiteServer(options: Partial<ServerOptions> = {}): Promise<SuiteServer> {
  const server = await startServer({
    games: [createDotsGame(64)],
    port: 0,
    operatorRoutes: false,
    connectionLimits: SUITE_LIMITS,
    onRoomFailure: () => {},
    ...options,
  });
  const room = (roomId: string): Room => {
    const found = server.registry.get(roomId);
    if (found === undefined) throw new Error(`No room ${roomId}`);
    return found;
  };
  return {
    server,
    room,
    state: (roomId) => room(roomId).state as DotsState,
    async [Symbol.asyncDispose]() {
      await server.shutdown("Test finished", 1000);
    },
  };
}

/** One snapshot as the good client saw it: header fields and arrival time. */
export interface SeenSnapshot {
  tick: number;
  baselineTick: number;
  lastInputSequence: number;
  atMs: number;
}

/** A join the server refused, or a socket that closed before the welcome. */
export class JoinRefused extends Error {
  /** Close (or error frame) code. */
  readonly code: number;
  /** The server's reason. */
  readonly reason: string;

  /** @param code close code; @param reason the server's reason */
  constructor(code: number, reason: string) {
    super(`Join refused (${code}): ${reason}`);
    this.name = "JoinRefused";
    this.code = code;
    this.reason = reason;
  }
}

/** Options of {@linkcode GoodClient.open}. */
export interface GoodClientOptions {
  /** @default "any" */
  room?: string;
  /** @default "dots" */
  game?: string;
  /** @default "good" */
  name?: string;
  /** Token of an earlier welcome, to resume its seat. */
  reconnectToken?: string;
  /** First input sequence to send, after a resume. @default 1 */
  firstSequence?: number;
  /** Send one input (moving +x) with the ack of each snapshot, as a real client does. @default true */
  play?: boolean;
  /** `Origin` header. */
  origin?: string;
}

/** Where a health window starts: see {@linkcode GoodClient.expectHealthy}. */
export interface HealthWindow {
  label: string;
  startTick: number;
  startMs: number;
}

/**
 * A well-behaved player on Deno's own WebSocket client: joins, then answers every snapshot with
 * an ack and (while it plays) one input, as the browser client does. It only reads snapshot headers, so it does
 * not depend on the entity coding.
 */
export class GoodClient {
  /** The server's welcome. */
  readonly welcome: WelcomeMessage;
  /** Every snapshot received, in order. */
  readonly snapshots: SeenSnapshot[] = [];
  /** Every event received after the welcome. */
  readonly events: EventMessage[] = [];
  /** Inputs sent; their sequences are `firstSequence … firstSequence + inputsSent − 1`. */
  inputsSent = 0;
  /** Whether to send an input with the ack of each snapshot (acks are always sent). */
  play: boolean;
  /** Close code once closed, else `null`. */
  closeCode: number | null = null;
  /** Close reason once closed. */
  closeReason = "";
  readonly #socket: WebSocket;
  readonly #decoder: FrameDecoder;
  readonly #encoder = new FrameEncoder(256);
  readonly #firstSequence: number;
  #waiters: (() => void)[] = [];

  private constructor(
    socket: WebSocket,
    decoder: FrameDecoder,
    welcome: WelcomeMessage,
    options: GoodClientOptions,
  ) {
    this.#socket = socket;
    this.#decoder = decoder;
    this.welcome = welcome;
    this.play = options.play ?? true;
    this.#firstSequence = options.firstSequence ?? 1;
    socket.onmessage = (event) => this.#receive(event.data);
    socket.onclose = (event) => {
      this.closeCode = event.code;
      this.closeReason = event.reason;
      this.#wake();
    };
  }

  /** Connect and join; rejects with {@linkcode JoinRefused}. */
  static open(url: string, options: GoodClientOptions = {}): Promise<GoodClient> {
    const headers: Record<string, string> = {};
    if (options.origin !== undefined) headers.origin = options.origin;
    // Deno's WebSocket takes `{ protocols, headers }`; the DOM typings this project also loads
    // know only the standard constructor, hence the construct call.
    const socket: WebSocket = Reflect.construct(WebSocket, [url, {
      protocols: [SUBPROTOCOL],
      headers,
    }]);
    socket.binaryType = "arraybuffer";
    const decoder = new FrameDecoder();
    return new Promise((resolve, reject) => {
      let refusal: JoinRefused | undefined;
      const timer = setTimeout(() => {
        socket.close();
        reject(new JoinRefused(0, "No welcome within 3000 ms"));
      }, 3000);
      socket.onerror = () => {};
      socket.onopen = () => {
        socket.send(encodeMessages([{
          kind: MessageKind.JOIN,
          protocolVersion: PROTOCOL_VERSION,
          game: options.game ?? "dots",
          room: options.room ?? "any",
          name: options.name ?? "good",
          reconnectToken: options.reconnectToken ?? "",
        }]));
      };
      socket.onclose = (event) => {
        clearTimeout(timer);
        reject(refusal ?? new JoinRefused(event.code, event.reason));
      };
      socket.onmessage = (event) => {
        if (!(event.data instanceof ArrayBuffer)) return;
        for (const message of decoder.decodeServerBatch(new Uint8Array(event.data))) {
          if (message.kind === MessageKind.ERROR) {
            refusal = new JoinRefused(message.code, message.reason);
          } else if (message.kind === MessageKind.WELCOME) {
            clearTimeout(timer);
            const client = new GoodClient(socket, decoder, message, options);
            resolve(client);
          }
        }
      };
    });
  }

  /** The newest snapshot seen. */
  get latest(): SeenSnapshot | undefined {
    return this.snapshots.at(-1);
  }

  /** Sequence of the last input sent (0 before any). */
  get lastSequenceSent(): number {
    return this.inputsSent === 0 ? this.#firstSequence - 1 : this.#firstSequence - 1 +
      this.inputsSent;
  }

  /** Start a health window now. */
  mark(label: string): HealthWindow {
    return { label, startTick: this.latest?.tick ?? 0, startMs: performance.now() };
  }

  /**
   * Check the window that `mark()` opened: still connected, every input sent so far applied
   * (the snapshot's `lastInputSequence` reached it), a snapshot for every tick since the mark,
   * none later than `maxGapMs` after the one before. Returns the longest gap seen.
   */
  async expectHealthy(
    window: HealthWindow,
    maxGapMs: number = MAX_SNAPSHOT_GAP_MS,
  ): Promise<number> {
    const target = this.lastSequenceSent;
    const sinceMs = performance.now();
    await this.until(
      () =>
        (this.latest?.lastInputSequence ?? 0) >= target &&
        this.snapshots.filter((snapshot) => snapshot.atMs > sinceMs).length >= 2,
      `${window.label}: inputs up to ${target} applied`,
    );
    assert.equal(this.closeCode, null, `${window.label}: good client closed: ${this.closeReason}`);
    const seen = this.snapshots.filter((snapshot) => snapshot.tick > window.startTick);
    assert.ok(seen.length >= 2, `${window.label}: snapshots arrived`);
    let previousTick = window.startTick;
    let previousMs = window.startMs;
    let longestGapMs = 0;
    for (const snapshot of seen) {
      if (previousTick > 0) {
        assert.equal(
          snapshot.tick,
          previousTick + 1,
          `${window.label}: tick after ${previousTick}`,
        );
      }
      const gapMs = snapshot.atMs - previousMs;
      longestGapMs = Math.max(longestGapMs, Math.round(gapMs));
      assert.ok(
        gapMs <= maxGapMs,
        `${window.label}: snapshot of tick ${snapshot.tick} came ${Math.round(gapMs)} ms late`,
      );
      previousTick = snapshot.tick;
      previousMs = snapshot.atMs;
    }
    tally.goodWindows++;
    if (maxGapMs === MAX_SNAPSHOT_GAP_MS) {
      tally.maxSnapshotGapMs = Math.max(tally.maxSnapshotGapMs, longestGapMs);
    }
    return longestGapMs;
  }

  /**
   * Stop playing, wait until the last input is applied, and count as lost each input the server
   * state shows was not applied (`x` moves by one per input).
   */
  async settle(state: DotsState, startX = 0): Promise<number> {
    this.play = false;
    const target = this.lastSequenceSent;
    await this.until(
      () => (this.latest?.lastInputSequence ?? 0) >= target,
      `inputs up to ${target} applied`,
    );
    const x = state.dots.get(this.welcome.playerId)?.x ?? 0;
    const lost = startX + this.inputsSent - x;
    tally.lostInputs += lost;
    return lost;
  }

  /** Send messages as one batch. */
  send(messages: readonly ClientMessage[]): void {
    if (this.#socket.readyState === WebSocket.OPEN) this.#socket.send(encodeMessages(messages));
  }

  /** Resolve once `predicate` holds, checking after each message; rejects after `timeoutMs`. */
  async until(predicate: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!predicate()) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw new Error(`Timed out waiting for ${what}`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, Math.min(remaining, 50));
      });
      clearTimeout(timer);
    }
  }

  /** Close with `code` and wait until the socket has closed. */
  async close(code = 1000): Promise<void> {
    if (this.closeCode !== null) return;
    this.#socket.close(code, "Good client done");
    await this.until(() => this.closeCode !== null, "close", 3000);
  }

  #receive(data: unknown): void {
    if (!(data instanceof ArrayBuffer)) throw new Error("Server sent a text message");
    const atMs = performance.now();
    let snapshotTick = 0;
    for (const message of this.#decoder.decodeServerBatch(new Uint8Array(data))) {
      if (message.kind === MessageKind.SNAPSHOT) {
        snapshotTick = message.tick;
        this.snapshots.push({
          tick: message.tick,
          baselineTick: message.baselineTick,
          lastInputSequence: message.lastInputSequence,
          atMs,
        });
      } else if (message.kind === MessageKind.EVENT) {
        this.events.push(message);
      }
    }
    if (snapshotTick > 0 && this.#socket.readyState === WebSocket.OPEN) {
      if (this.play) {
        const sequence = this.#firstSequence + this.inputsSent;
        this.inputsSent++;
        this.#encoder.add({ kind: MessageKind.INPUT, sequence, clientTick: 0, buttons: 1, aim: 0 });
      }
      this.#encoder.add({ kind: MessageKind.ACK, tick: snapshotTick });
      this.#socket.send(this.#encoder.finish());
    }
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Encode client messages as one batch (one WebSocket message). */
export function encodeMessages(messages: readonly ClientMessage[]): Uint8Array {
  const encoder = new FrameEncoder(256);
  for (const message of messages) encoder.add(message);
  return encoder.finish();
}

/**
 * Whether `message` is the pong to the ping stamped `clientTimeMs`: a seated client's pong rides
 * with the room's next message and its echo is advanced by that wait (under a second here).
 */
export function isPongTo(message: ServerMessage, clientTimeMs: number): boolean {
  return message.kind === MessageKind.PONG && message.clientTimeMs >= clientTimeMs &&
    message.clientTimeMs - clientTimeMs < 1000;
}

/** A valid join of the dots game. */
export function joinMessage(room = "any", name = "mallory"): Uint8Array {
  return encodeMessages([{
    kind: MessageKind.JOIN,
    protocolVersion: PROTOCOL_VERSION,
    game: "dots",
    room,
    name,
    reconnectToken: "",
  }]);
}

/** Open a raw peer offering game.v3; `autoAnswer: false` makes it ignore pings and closes. */
export function openPeer(url: string, options: { autoAnswer?: boolean } = {}): Promise<WsPeer> {
  return WsPeer.connect(url, { protocols: [SUBPROTOCOL], timeoutMs: 3000, ...options });
}

/** Open a raw peer and join `room`; resolves once welcomed. */
export async function joinedPeer(
  url: string,
  room: string,
  options: { autoAnswer?: boolean } = {},
): Promise<WsPeer> {
  const peer = await openPeer(url, options);
  await peer.sendBinary(joinMessage(room));
  const decoder = new FrameDecoder();
  for (let messages = 0; messages < 50; messages++) {
    const event = await peer.receive(3000);
    if (event.type !== "binary") throw new Error(`Join answered with ${event.type}`);
    const batch = decoder.decodeServerBatch(event.data);
    if (batch.some((message) => message.kind === MessageKind.WELCOME)) return peer;
  }
  throw new Error("No welcome in 50 messages");
}

/**
 * Read until the close frame and assert its code and reason, and that the server then ends the
 * TCP stream. Returns how long the close took from the call.
 */
export async function expectClose(
  peer: WsPeer,
  code: number,
  reason: RegExp,
  timeoutMs = 3000,
): Promise<number> {
  const startMs = performance.now();
  const close = await peer.readClose(timeoutMs);
  assert.equal(close.code, code, `close code, reason ${JSON.stringify(close.reason)}`);
  assert.match(close.reason, reason);
  assert.deepEqual(await peer.receive(timeoutMs), { type: "eof" });
  return performance.now() - startMs;
}

/** Assert the server ends the TCP stream without a close frame (what Deno does on bad framing). */
export async function expectDrop(peer: WsPeer, timeoutMs = 3000): Promise<void> {
  assert.deepEqual(await peer.readClose(timeoutMs), { code: null, reason: "" }, "dropped");
}

/** Wait until `predicate` holds, polling every `pollMs`; rejects after `timeoutMs`. */
export async function eventually(
  predicate: () => boolean,
  what: string,
  timeoutMs = 3000,
  pollMs = 10,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
