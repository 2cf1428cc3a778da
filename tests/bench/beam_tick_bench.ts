import { createArenaGame } from "../../server/games/arena.ts";
import { Room, type RoomClient } from "../../server/rooms/room.ts";
import { ManualClock } from "../../server/tick/clock.ts";
import { Buttons } from "../../shared/game/arena/mod.ts";

// One S3 room of WORKLOAD.md (50 players, 100 NPCs, interest on) stepped through the real Room:
// inputs queued and acknowledged as a live server gets them (views 3 ticks back), the game
// stepped, every client's snapshot written. One side has every player fire the beam twice a
// second (staggered, each judged with lag compensation), the other never: deno bench runs both
// in one process, so the difference is what rewound beams add to a tick.
const TICK_MS = 1000 / 30;

function roomTick(beams: boolean) {
  const clock = new ManualClock(0);
  const room = new Room("bench", createArenaGame({ npcCount: 100 }), { clock });
  const client: RoomClient = { send() {}, queuedBytes: () => 0, close() {} };
  const players: number[] = [];
  for (let index = 0; index < 50; index++) {
    const joined = room.join(client, `p${index}`);
    if (joined.ok) players.push(joined.playerId);
  }
  let sequence = 0;
  const input = { buttons: 0, aim: 0, viewTime: 0 };
  return () => {
    sequence++;
    const tick = room.tick;
    players.forEach((id, index) => {
      // Held moves changing every half second; a beam every 15th tick per player, staggered.
      input.buttons = (index + (sequence >> 4)) % 16;
      if (beams && (sequence + index) % 15 === 0) input.buttons |= Buttons.BEAM;
      input.aim = index + sequence / 100;
      input.viewTime = Math.max(0, tick - 3);
      room.queueInput(id, sequence, input);
      room.acknowledge(id, Math.max(0, tick - 2 - (index % 3)));
    });
    clock.advance(TICK_MS);
    room.step();
  };
}

const withBeams = roomTick(true);
const withoutBeams = roomTick(false);
for (let warm = 0; warm < 90; warm++) {
  withBeams();
  withoutBeams();
}

/** `deno run tests/bench/beam_tick_bench.ts [ticks]`: both sides' tick p50/p99, interleaved. */
if (import.meta.main) {
  const ticks = Number(Deno.args[0] ?? 3000);
  const times: Record<"without" | "with", number[]> = { without: [], with: [] };
  for (let tick = 0; tick < ticks; tick++) {
    for (const [side, step] of [["without", withoutBeams], ["with", withBeams]] as const) {
      const startMs = performance.now();
      step();
      times[side].push(performance.now() - startMs);
    }
  }
  const at = (values: number[], q: number) =>
    [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))] ?? Number.NaN;
  for (const [side, values] of Object.entries(times)) {
    const micros = (ms: number) => Math.round(ms * 1000);
    console.log(
      `${side} beams: ${ticks} ticks, p50 ${micros(at(values, 0.5))} µs, p99 ${
        micros(at(values, 0.99))
      } µs`,
    );
  }
}

Deno.bench("S3 room tick through Room, no beams", { group: "beams" }, withoutBeams);
Deno.bench(
  "S3 room tick through Room, every player beams twice a second",
  { group: "beams" },
  withBeams,
);
