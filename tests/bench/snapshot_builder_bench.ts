import { FrameEncoder } from "../../shared/protocol/mod.ts";
import { createArenaGame } from "../../server/games/arena.ts";
import { SnapshotBuilder } from "../../server/rooms/snapshots/snapshot_builder.ts";

// One S3 room of tests/load/WORKLOAD.md (50 players, 100 NPCs): a whole broadcast tick, every client's
// snapshot written against a baseline a few ticks old, as acks arrive in a live server.
function roomTick(interest: boolean) {
  const game = createArenaGame({ npcCount: 100, interestManagement: interest });
  const state = game.createState("bench", 1);
  const players = Array.from({ length: 50 }, (_, index) => game.join(state, `p${index}`));
  const builder = new SnapshotBuilder(game.entitySchema, game.interest);
  const rings = players.map(() => builder.createViewRing());
  const encoder = new FrameEncoder(64 * 1024);
  const rows: number[] = [];
  let tick = 0;
  return () => {
    tick++;
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
    builder.beginTick(tick, rows, null);
    players.forEach((id, index) => {
      // Clients ack 2 to 4 ticks late, the spread of round trips on a busy loopback.
      const acked = Math.max(0, tick - 2 - (index % 3));
      builder.writeFor(rings[index] ?? builder.createViewRing(), id, acked, tick, encoder);
      encoder.reset();
    });
  };
}

const withInterest = roomTick(true);
const wholeRoom = roomTick(false);
for (let warm = 0; warm < 60; warm++) {
  withInterest();
  wholeRoom();
}

Deno.bench("S3 room tick, 50 clients, interest on", { group: "room tick" }, withInterest);
Deno.bench("S3 room tick, 50 clients, interest off", { group: "room tick" }, wholeRoom);
