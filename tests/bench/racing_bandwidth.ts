/**
 * `deno run -A tests/bench/racing_bandwidth.ts [drivers] [seconds]`: what the racing game costs on
 * the wire. One real `Room` on a manual clock with `drivers` simulated clients (default 64, the
 * workload's S2 player count); every client readies, and after the countdown each drives with a
 * new random throttle and steering every 500 ms (as the arena's bots pick new buttons) and
 * acknowledges each snapshot 3 ticks (100 ms) later. Prints one JSON line: payload bytes per
 * client per second over the racing window, and per snapshot.
 * @module
 */
import { createRacingGame } from "../../server/games/racing.ts";
import { Room, type RoomClient } from "../../server/rooms/room.ts";
import { ManualClock } from "../../server/tick/clock.ts";
import { seededRandom } from "../support/seeded_random.ts";

const drivers = Number(Deno.args[0] ?? 64);
const seconds = Number(Deno.args[1] ?? 20);
const TICK_MS = 1000 / 30;
const ACK_DELAY_TICKS = 3;

interface Driver {
  playerId: number;
  bytes: number;
  snapshots: number;
  throttle: number;
  steer: number;
  sequence: number;
}

const clock = new ManualClock(0);
const room = new Room("racing-bench", createRacingGame(drivers), { clock });
const random = seededRandom(17);
const list: Driver[] = [];
const acks: [number, number, number][] = [];
for (let index = 0; index < drivers; index++) {
  const driver: Driver = {
    playerId: 0,
    bytes: 0,
    snapshots: 0,
    throttle: 0,
    steer: 0,
    sequence: 0,
  };
  const client: RoomClient = {
    send(bytes) {
      driver.bytes += bytes.length;
      driver.snapshots++;
      acks.push([room.tick + ACK_DELAY_TICKS, driver.playerId, room.tick]);
    },
    queuedBytes: () => 0,
    close: () => {},
  };
  const joined = room.join(client, `driver-${index}`);
  if (!joined.ok) throw new Error(joined.reason);
  driver.playerId = joined.playerId;
  list.push(driver);
}
for (const driver of list) room.queueCommand(driver.playerId, "ready", []);
const tick = () => {
  room.step();
  clock.advance(TICK_MS);
  while (acks.length > 0 && (acks[0]?.[0] ?? Infinity) <= room.tick) {
    const [, playerId, ackTick] = acks.shift() ?? [0, 0, 0];
    room.acknowledge(playerId, ackTick);
  }
};
for (let step = 0; step < 95; step++) tick();
for (const driver of list) driver.bytes = driver.snapshots = 0;
const ticks = Math.round(seconds * 30);
for (let step = 0; step < ticks; step++) {
  for (const driver of list) {
    if (step % 15 === 0) {
      driver.throttle = Math.round((0.4 + random() * 0.6) * 100) / 100;
      driver.steer = Math.round((random() * 2 - 1) * 100) / 100;
    }
    room.queueInput(driver.playerId, ++driver.sequence, 0, [driver.throttle, driver.steer]);
  }
  tick();
}
const bytes = list.reduce((sum, driver) => sum + driver.bytes, 0);
const snapshots = list.reduce((sum, driver) => sum + driver.snapshots, 0);
console.log(JSON.stringify({
  game: "racing",
  drivers,
  seconds,
  ackDelayTicks: ACK_DELAY_TICKS,
  bytesPerClientPerSecond: Math.round(bytes / drivers / seconds),
  bytesPerSnapshot: Math.round(bytes / snapshots),
}));
room.close(1000, "Bench finished");
