import assert from "node:assert/strict";
import type { Game } from "../server/rooms/game.ts";
import { Room, type RoomClient } from "../server/rooms/room.ts";
import { ManualClock } from "../server/tick/clock.ts";
import { FrameDecoder, LIMITS, MessageKind } from "../shared/protocol/mod.ts";

/** A game whose first step makes `burst` events at once (a room of 50 beams in one tick). */
function burstGame(burst: number): Game<{ stepped: number }> {
  return {
    name: "burst",
    maxPlayers: 4,
    entitySchema: [{ name: "id" }],
    createState: () => ({ stepped: 0 }),
    join: () => 1,
    leave() {},
    applyInput() {},
    step(state, _dtMs, events) {
      if (state.stepped++ > 0) return;
      for (let index = 0; index < burst; index++) {
        events.push({ type: "boom", actor: index + 1, target: 0, value: index, text: "" });
      }
    },
    writeEntities(_state, out) {
      out.push(1);
    },
  };
}

Deno.test("Room spreads a burst of events over messages a client accepts (at most 64 frames each)", () => {
  const clock = new ManualClock(0);
  const room = new Room("burst-1", burstGame(150), { clock });
  const decoder = new FrameDecoder();
  const values: number[] = [];
  let messages = 0;
  const client: RoomClient = {
    send(bytes) {
      // Throws on a message of more than 64 frames, as every client's decoder does.
      const frames = decoder.decodeServerBatch(bytes.slice());
      assert.ok(frames.length <= LIMITS.maxFramesPerMessage);
      messages++;
      for (const frame of frames) {
        if (frame.kind === MessageKind.EVENT && frame.type === "boom") values.push(frame.value);
      }
    },
    queuedBytes: () => 0,
    close() {},
  };
  assert.ok(room.join(client, "one").ok);
  room.start();
  clock.advance(10 * 1000 / 30);
  assert.ok(messages >= 4);
  assert.deepEqual(values, Array.from({ length: 150 }, (_, index) => index), "all, in order");
  room.close(1000, "done");
});
