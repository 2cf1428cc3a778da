import { ARENA_ENTITY_SCHEMA, createArenaGame } from "../../server/games/arena.ts";
import { SnapshotBuilder } from "../../server/rooms/snapshots/snapshot_builder.ts";
import { SnapshotHistory } from "../../client/net/snapshot_history.ts";
import { EntityDeltaDecoder } from "../../shared/protocol/entity_delta.ts";
import {
  FrameDecoder,
  FrameEncoder,
  MessageKind,
  type SnapshotMessage,
} from "../../shared/protocol/mod.ts";

// tests/load/WORKLOAD.md S2: one room of 64 players and 200 NPCs, i.e. a 264-entity snapshot.
const game = createArenaGame({ npcCount: 200, interestManagement: false });
const state = game.createState("bench", 1);
const players = Array.from({ length: 64 }, (_, index) => game.join(state, `p${index}`));
const rows: number[] = [];

function advance(tick: number): void {
  players.forEach((id, index) =>
    game.applyInput(
      state,
      id,
      { buttons: (index + (tick >> 4)) % 16, aim: index, viewTime: 0 },
      1000 / 30,
      [],
      undefined,
    )
  );
  game.step(state, 1000 / 30, []);
  rows.length = 0;
  game.writeEntities(state, rows);
}

const builder = new SnapshotBuilder(ARENA_ENTITY_SCHEMA);
const ring = builder.createViewRing();
const encoder = new FrameEncoder(64 * 1024);
for (let tick = 1; tick <= 30; tick++) {
  advance(tick);
  builder.beginTick(tick, rows, null);
  builder.encodeFor(ring, players[0] ?? 1, 0);
}
function encodeSnapshot(tick: number, acked: number): Uint8Array {
  builder.beginTick(tick, rows, null);
  const snapshot = builder.encodeFor(ring, players[0] ?? 1, acked);
  encoder.addSnapshot(tick, snapshot.baselineTick, 0, snapshot.body);
  return encoder.finish();
}
advance(31);
const full = encodeSnapshot(31, 0);
advance(32);
const delta = encodeSnapshot(32, 29);
const decoder = new FrameDecoder();
// One entity decoder for every history, as a client process keeps one: a fresh decoder's first
// table costs a new slab, which is not what one decode costs.
const sharedDecoder = new EntityDeltaDecoder();
const welcome = { ...builder.wire };
const [fullMessage] = decoder.decodeServerBatch(full) as SnapshotMessage[];
const [deltaMessage] = decoder.decodeServerBatch(delta) as SnapshotMessage[];

if (fullMessage === undefined || deltaMessage === undefined) throw new Error("No snapshot");
console.log(
  `264-entity snapshot: full ${full.length} B, delta against a baseline 3 ticks old ${delta.length} B`,
);

let tick = 100;
Deno.bench(
  "encode full snapshot, 264 entities (quantize + code + frame)",
  { group: "encode" },
  () => {
    encodeSnapshot(++tick, 0);
  },
);
Deno.bench("encode delta snapshot, 264 entities, baseline 3 ticks old", { group: "encode" }, () => {
  tick++;
  encodeSnapshot(tick, tick - 3);
});
Deno.bench(
  "decode full snapshot, 264 entities (frame + entities + rows)",
  { group: "decode" },
  () => {
    const [message] = decoder.decodeServerBatch(full);
    if (message?.kind !== MessageKind.SNAPSHOT) throw new Error("Expected a snapshot");
    new SnapshotHistory(welcome, 64, sharedDecoder).apply(message, 0);
  },
);
Deno.bench("decode delta snapshot, 264 entities", { group: "decode" }, (b) => {
  const local = new SnapshotHistory(welcome, 64, sharedDecoder);
  local.apply({ ...fullMessage, tick: 29 }, 0);
  b.start();
  const [message] = decoder.decodeServerBatch(delta);
  if (message?.kind !== MessageKind.SNAPSHOT) throw new Error("Expected a snapshot");
  local.apply(message, 0);
  b.end();
});
