import assert from "node:assert/strict";
import { MessageKind } from "../../shared/protocol/mod.ts";
import { InputSender } from "./input_sender.ts";

// A game's declared input values: a button field and an axis.
const RIGHT = 8;
const INPUT = [RIGHT, 0.5];

Deno.test("InputSender.batch() numbers inputs from 1 and acks each newer snapshot once", () => {
  const sender = new InputSender();
  assert.deepEqual(sender.batch(INPUT, 10.4, 9), [
    {
      kind: MessageKind.INPUT,
      sequence: 1,
      clientTick: 10,
      values: [RIGHT, 0.5],
      viewTick: 0,
      viewAlpha: 0,
    },
    { kind: MessageKind.ACK, tick: 9 },
  ]);
  assert.deepEqual(sender.batch(INPUT, 11, 9).map((message) => message.kind), [MessageKind.INPUT]);
  const third = sender.batch(INPUT, 12, 11);
  assert.equal(third[0]?.kind === MessageKind.INPUT && third[0].sequence, 3);
  assert.deepEqual(third[1], { kind: MessageKind.ACK, tick: 11 });
});

Deno.test("InputSender.requestFullSnapshot() acks tick 0 once, then only newer ticks", () => {
  const sender = new InputSender();
  sender.batch(INPUT, 10, 9);
  sender.requestFullSnapshot();
  assert.deepEqual(sender.batch(INPUT, 11, 9)[1], { kind: MessageKind.ACK, tick: 0 });
  assert.equal(sender.batch(INPUT, 12, 9).length, 1);
  assert.deepEqual(sender.batch(INPUT, 13, 15)[1], { kind: MessageKind.ACK, tick: 15 });
});

Deno.test("InputSender.batch() sends the view time as a tick and 1/256 of a tick, rounded", () => {
  const sender = new InputSender();
  const view = (viewTicks: number) => {
    const [input] = sender.batch(INPUT, 12, 11, viewTicks);
    return input?.kind === MessageKind.INPUT ? [input.viewTick, input.viewAlpha] : [];
  };
  assert.deepEqual(view(9.5), [9, 128]);
  assert.deepEqual(view(9.25), [9, 64]);
  // 9.999 is 255.74 steps past tick 9: the nearest step is tick 10 itself.
  assert.deepEqual(view(9.999), [10, 0]);
  assert.deepEqual(view(0), [0, 0]);
});
