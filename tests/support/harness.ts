import { GameConnection, type GameConnectionOptions } from "../../client/net/game_connection.ts";
import type { WebTransportTarget } from "../../client/net/webtransport_wire.ts";
import {
  BaselineMissingError,
  SnapshotHistory,
  type WorldSnapshot,
} from "../../client/net/snapshot_history.ts";
import type { Game } from "../../server/rooms/game.ts";
import { type RunningServer, type ServerOptions, startServer } from "../../server/server.ts";
import { ManualClock } from "../../server/tick/clock.ts";
import { TEST_INPUT } from "./dots_game.ts";
import {
  type EventMessage,
  type InputLayout,
  MessageKind,
  type SnapshotMessage,
} from "../../shared/protocol/mod.ts";

/** A server on an ephemeral loopback port whose rooms tick only when the test says so. */
export interface DrivenServer {
  server: RunningServer;
  clock: ManualClock;
  /** Advance the rooms' clock by `ticks` steps of 1000/30 ms. */
  tick(ticks?: number): void;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Start a server with a manual clock; dispose it with `await using`. */
export async function startDrivenServer(
  games: Game<unknown>[],
  options: Partial<ServerOptions> = {},
): Promise<DrivenServer> {
  const clock = new ManualClock(1000);
  const server = await startServer({ games, port: 0, clock, ...options });
  return {
    server,
    clock,
    tick(ticks = 1) {
      for (let index = 0; index < ticks; index++) clock.advance(1000 / 30 + 0.001);
    },
    async [Symbol.asyncDispose]() {
      await server.shutdown("Test finished", 1000);
    },
  };
}

/** Where a test reaches a server's WebTransport listener; throws when it has none. */
export function webTransportTarget(server: RunningServer): WebTransportTarget {
  const webTransport = server.webTransport;
  if (webTransport === null) throw new Error("Server has no WebTransport listener");
  return {
    url: `https://127.0.0.1:${webTransport.port}/`,
    certificateHashes: webTransport.certificateHashes(),
  };
}

/**
 * A joined client that records what it receives, rebuilds the world from the delta snapshots
 * and acknowledges each one (unless `autoAck` is off), as a real client does.
 */
export class TestClient {
  readonly connection: GameConnection;
  readonly history: SnapshotHistory;
  readonly snapshots: SnapshotMessage[] = [];
  readonly worlds: WorldSnapshot[] = [];
  readonly events: EventMessage[] = [];
  /** Acknowledge every snapshot applied. */
  autoAck = true;
  #waiters: (() => void)[] = [];

  private constructor(connection: GameConnection) {
    this.connection = connection;
    this.history = new SnapshotHistory(connection.welcome);
    this.events.push(...connection.takeEarlyEvents());
    connection.handlers = {
      onSnapshot: (snapshot, receivedAtMs) => {
        this.snapshots.push(snapshot);
        try {
          this.worlds.push(this.history.apply(snapshot, receivedAtMs));
          if (this.autoAck) this.#ack(snapshot.tick);
        } catch (error) {
          if (!(error instanceof BaselineMissingError)) throw error;
          this.#ack(0);
        }
        this.#wake();
      },
      onEvent: (event) => {
        this.events.push(event);
        this.#wake();
      },
      onClose: () => this.#wake(),
    };
  }

  /** Connect and join. */
  static async join(
    url: string,
    name: string,
    game = "dots",
    room = "any",
    input: InputLayout = TEST_INPUT,
  ): Promise<TestClient> {
    return new TestClient(await GameConnection.open({ url, game, room, name, input }));
  }

  /** Connect and join with any settings (e.g. over WebTransport). */
  static async open(options: GameConnectionOptions): Promise<TestClient> {
    return new TestClient(await GameConnection.open({ input: TEST_INPUT, ...options }));
  }

  /** Player id from the welcome. */
  get playerId(): number {
    return this.connection.welcome.playerId;
  }

  /** The newest snapshot, if any. */
  get latest(): SnapshotMessage | undefined {
    return this.snapshots.at(-1);
  }

  /** The entity row of `id` in the newest applied snapshot, as `field → value`. */
  entity(id: number): Record<string, number> | undefined {
    const row = this.history.latest?.entities.get(id);
    if (row === undefined) return undefined;
    const entity: Record<string, number> = {};
    this.connection.welcome.entityFields.forEach((field, column) =>
      entity[field] = row[column] ?? NaN
    );
    return entity;
  }

  /** Ids in the newest applied snapshot. */
  entityIds(): number[] {
    return [...(this.history.latest?.entities.keys() ?? [])];
  }

  #ack(tick: number): void {
    this.connection.queue({ kind: MessageKind.ACK, tick });
    this.connection.flush();
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

  /** Wait for a snapshot of at least `tick`. */
  async snapshotAt(tick: number): Promise<SnapshotMessage> {
    await this.until(() => (this.latest?.tick ?? 0) >= tick, `snapshot of tick ${tick}`);
    const latest = this.latest;
    if (latest === undefined) throw new Error("No snapshot");
    return latest;
  }

  /** Close and wait for the close to complete. */
  async leave(): Promise<void> {
    if (this.connection.closeCode !== null) return;
    const closed = this.connection.closed();
    this.connection.close();
    await closed;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
