/**
 * `deno task bench:bandwidth`: the arena workload of tests/load/WORKLOAD.md (S1, S2) in one process with
 * simulated clients, measured step by step — plain msgpack snapshots, then quantization, then
 * deltas against the acknowledged baseline, then interest management. Prints a Markdown table.
 * @module
 */
import { Packr } from "msgpackr";
import { ARENA_ENTITY_SCHEMA, ARENA_INTEREST, createArenaGame } from "../../server/games/arena.ts";
import { SnapshotBuilder } from "../../server/rooms/snapshots/snapshot_builder.ts";
import type { ViewRing } from "../../server/rooms/snapshots/view_ring.ts";
import { SnapshotHistory } from "../../client/net/snapshot_history.ts";
import { type ArenaState, nextRandom, seedFromString } from "../../shared/game/arena/mod.ts";
import {
  FrameDecoder,
  FrameEncoder,
  MessageKind,
  type SnapshotMessage,
} from "../../shared/protocol/mod.ts";

type Step = "msgpack" | "quantized" | "delta" | "interest";

interface Scale {
  name: string;
  players: number;
  npcs: number;
}

interface Bot {
  playerId: number;
  buttons: number;
  aim: number;
  ring: ViewRing;
  history: SnapshotHistory;
  ackedTick: number;
  acks: [number, number][];
}

interface Result {
  step: Step;
  bytesPerClientPerSecond: number;
  bytesPerVisibleEntity: number;
  bytesPerChangedEntity: number;
  visibleEntities: number;
  encodeMicrosPerTick: number;
}

const TICK_HZ = 30;
const STRIDE = ARENA_ENTITY_SCHEMA.length;
const TICK_MS = 1000 / TICK_HZ;
const MOVES = [0, 1, 2, 4, 8, 1 | 4, 1 | 8, 2 | 4, 2 | 8];

/**
 * Run the workload for one step. With `decode` the simulated clients decode and check every
 * snapshot (for the byte figures); without, they only acknowledge, so the timing of the server's
 * encode is not disturbed by the garbage collection of 64 clients' decoding.
 */
function measure(
  scale: Scale,
  step: Step,
  seconds: number,
  ackDelayTicks: number,
  decode: boolean,
): Result {
  const roomId = `bench-${scale.name}`;
  const random = { rngState: seedFromString(`${roomId}-bots`) };
  const game = createArenaGame({
    npcCount: scale.npcs,
    maxPlayers: scale.players,
    interestManagement: step === "interest",
  });
  const state: ArenaState = game.createState(roomId, 1);
  const builder = new SnapshotBuilder(
    ARENA_ENTITY_SCHEMA,
    step === "interest" ? ARENA_INTEREST : undefined,
  );
  const welcome = { ...builder.wire };
  const bots: Bot[] = [];
  for (let index = 0; index < scale.players; index++) {
    bots.push({
      playerId: game.join(state, `bot${index}`),
      buttons: 0,
      aim: 0,
      ring: builder.createViewRing(),
      history: new SnapshotHistory(welcome),
      ackedTick: 0,
      acks: [],
    });
  }
  const packr = new Packr({ useRecords: false });
  const encoder = new FrameEncoder(64 * 1024);
  const decoder = new FrameDecoder();
  const rows: number[] = [];
  const global: number[] = [];
  const warmupTicks = TICK_HZ * 2;
  const ticks = warmupTicks + Math.round(seconds * TICK_HZ);
  let bytes = 0, snapshots = 0, visible = 0, changed = 0, entityBytes = 0, encodeMs = 0;
  for (let tick = 1; tick <= ticks; tick++) {
    const measuring = tick > warmupTicks;
    for (const bot of bots) {
      // WORKLOAD.md: new random move bits and aim every 500 ms, inputs at 30 Hz.
      if (tick % 15 === 1) {
        bot.buttons = MOVES[Math.floor(nextRandom(random) * MOVES.length)] ?? 0;
        bot.aim = nextRandom(random) * 2 * Math.PI - Math.PI;
      }
      game.applyInput(
        state,
        bot.playerId,
        { buttons: bot.buttons, aim: bot.aim, viewTime: 0 },
        TICK_MS,
        [],
        undefined,
      );
    }
    game.step(state, TICK_MS, []);
    rows.length = 0;
    global.length = 0;
    game.writeEntities(state, rows);
    game.writeGlobal?.(state, global);
    const started = performance.now();
    const messages: Uint8Array[] = [];
    if (step === "msgpack") {
      // The naive form: one map per entity with the WORKLOAD.md fields, floats as float64.
      const entities = [];
      for (let offset = 0; offset < rows.length; offset += STRIDE) {
        entities.push({
          id: rows[offset],
          kind: rows[offset + 1],
          x: rows[offset + 2],
          y: rows[offset + 3],
          angle: rows[offset + 4],
          hp: rows[offset + 5],
          score: rows[offset + 6],
        });
      }
      const body = packr.pack({ tick, entities });
      for (const bot of bots) {
        encoder.addSnapshot(tick, 0, 0, body);
        messages.push(encoder.finish());
        bot.ackedTick = 0;
      }
    } else {
      builder.beginTick(tick, rows, global);
      for (const bot of bots) {
        bot.acks = bot.acks.filter(([due, acked]) => {
          if (due > tick) return true;
          if (step !== "quantized" && acked > bot.ackedTick) bot.ackedTick = acked;
          return false;
        });
        // The room's path: written straight into the batch (finish() copies, as send() does).
        builder.writeFor(bot.ring, bot.playerId, bot.ackedTick, 0, encoder);
        messages.push(encoder.finish());
      }
    }
    const elapsed = performance.now() - started;
    bots.forEach((bot, index) => {
      const message = messages[index] ?? new Uint8Array(0);
      if (step === "msgpack") {
        if (measuring) {
          bytes += message.length;
          snapshots++;
          visible += rows.length / STRIDE;
          changed += rows.length / STRIDE;
          entityBytes += message.length;
        }
        return;
      }
      if (!decode) {
        bot.acks.push([tick + ackDelayTicks, tick]);
        return;
      }
      const [decoded] = decoder.decodeServerBatch(message);
      if (decoded?.kind !== MessageKind.SNAPSHOT) throw new Error("Expected a snapshot");
      const world = bot.history.apply(decoded as SnapshotMessage, tick);
      bot.acks.push([tick + ackDelayTicks, tick]);
      if (!measuring) return;
      bytes += message.length;
      snapshots++;
      visible += world.entities.size;
      entityBytes += decoded.entities.length;
      changed += changedEntities(bot.history, decoded.baselineTick, tick);
    });
    if (measuring) encodeMs += elapsed;
  }
  const measuredTicks = ticks - warmupTicks;
  return {
    step,
    bytesPerClientPerSecond: bytes / scale.players / seconds,
    bytesPerVisibleEntity: entityBytes / visible,
    bytesPerChangedEntity: entityBytes / Math.max(1, changed),
    visibleEntities: visible / snapshots,
    encodeMicrosPerTick: (encodeMs * 1000) / measuredTicks,
  };
}

/** Entities added or with any column changed since the baseline, as the client sees them. */
function changedEntities(history: SnapshotHistory, baselineTick: number, tick: number): number {
  const now = history.tableAt(tick);
  if (now === undefined) return 0;
  const base = baselineTick === 0 ? undefined : history.tableAt(baselineTick);
  if (base === undefined) return now.count;
  const baseRows = new Map<number, number>();
  for (let row = 0; row < base.count; row++) baseRows.set(base.ids[row] ?? 0, row);
  let count = 0;
  for (let row = 0; row < now.count; row++) {
    const baseRow = baseRows.get(now.ids[row] ?? 0);
    if (baseRow === undefined) {
      count++;
      continue;
    }
    for (let column = 1; column < STRIDE; column++) {
      if (now.values[row * STRIDE + column] !== base.values[baseRow * STRIDE + column]) {
        count++;
        break;
      }
    }
  }
  return count;
}

if (import.meta.main) {
  const seconds = Number(Deno.args[0] ?? "20");
  const ackDelayTicks = Number(Deno.args[1] ?? "3");
  const scales: Scale[] = [
    { name: "S1", players: 16, npcs: 0 },
    { name: "S2", players: 64, npcs: 200 },
  ];
  console.log(
    `Arena workload, ${seconds} s measured after 2 s warm-up, 30 Hz, acks arrive ${ackDelayTicks} ticks ` +
      `(${Math.round(ackDelayTicks * TICK_MS)} ms) after the snapshot.\n`,
  );
  console.log(
    "| scale | step | bytes/client/s | visible entities | bytes/visible entity | bytes/changed entity | encode µs/tick (all clients) |",
  );
  console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
  const labels: Record<Step, string> = {
    msgpack: "plain msgpack, full",
    quantized: "+ quantization (full)",
    delta: "+ delta vs acked baseline",
    interest: "+ interest management",
  };
  for (const scale of scales) {
    for (const step of ["msgpack", "quantized", "delta", "interest"] as const) {
      const result = measure(scale, step, seconds, ackDelayTicks, true);
      result.encodeMicrosPerTick = measure(scale, step, seconds, ackDelayTicks, false)
        .encodeMicrosPerTick;
      console.log(
        `| ${scale.name} | ${labels[step]} | ${Math.round(result.bytesPerClientPerSecond)} | ${
          result.visibleEntities.toFixed(1)
        } | ${result.bytesPerVisibleEntity.toFixed(2)} | ${
          step === "delta" || step === "interest" ? result.bytesPerChangedEntity.toFixed(2) : "—"
        } | ${Math.round(result.encodeMicrosPerTick)} |`,
      );
    }
  }
}
