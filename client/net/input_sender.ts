import type { ArenaInput } from "../../shared/game/arena/mod.ts";
import { type ClientMessage, MessageKind, VIEW_ALPHA_STEPS } from "../../shared/protocol/mod.ts";

/**
 * Numbers the client's inputs 1, 2, 3… and builds one client tick's batch: the input and, when a
 * newer snapshot has been applied since the last batch, its ack. The caller sends the batch as
 * one WebSocket message (`connection.queue` each, then one `connection.flush`).
 *
 * @example Usage
 * ```ts
 * import { InputSender } from "./input_sender.ts";
 * import assert from "node:assert/strict";
 *
 * const sender = new InputSender();
 * const batch = sender.batch({ buttons: 8, aim: 0 }, 12, 11);
 * assert.deepEqual(batch.map((message) => message.kind), [2, 3]);
 * assert.equal(sender.sequence, 1);
 * ```
 */
export class InputSender {
  #sequence: number;
  #ackedTick = 0;
  #wantFull = false;

  /**
   * @param lastSequence the newest sequence sent before, when resuming a seat whose inputs the
   * server still counts; 0 for a new seat
   */
  constructor(lastSequence = 0) {
    this.#sequence = lastSequence;
  }

  /** Sequence of the newest input built, 0 before the first. */
  get sequence(): number {
    return this.#sequence;
  }

  /**
   * Make the next batch acknowledge tick 0, which asks the server for a full snapshot: the client
   * lost the baseline of a delta.
   */
  requestFullSnapshot(): void {
    this.#wantFull = true;
  }

  /**
   * The messages of one client tick.
   * @param input buttons and aim sampled this tick
   * @param clientTick the server tick the client believes it is at
   * @param newestTick the newest snapshot tick applied, 0 if none
   * @param viewTicks the server tick (with fraction) the other entities were drawn at when the
   * input was sampled (`InterpolationBuffer.viewTicks`), 0 if none
   */
  batch(
    input: ArenaInput,
    clientTick: number,
    newestTick: number,
    viewTicks = 0,
  ): ClientMessage[] {
    // The nearest 1/256 of a tick; rounding up to the next whole tick carries into the tick.
    const steps = Math.round(Math.max(0, viewTicks) * VIEW_ALPHA_STEPS);
    const messages: ClientMessage[] = [{
      kind: MessageKind.INPUT,
      sequence: ++this.#sequence,
      clientTick: Math.max(0, Math.round(clientTick)),
      buttons: input.buttons,
      aim: input.aim,
      viewTick: Math.floor(steps / VIEW_ALPHA_STEPS),
      viewAlpha: steps % VIEW_ALPHA_STEPS,
    }];
    if (this.#wantFull) {
      this.#wantFull = false;
      // Only a snapshot that arrives after this one (the full one) is worth acknowledging.
      this.#ackedTick = newestTick;
      messages.push({ kind: MessageKind.ACK, tick: 0 });
    } else if (newestTick > this.#ackedTick) {
      this.#ackedTick = newestTick;
      messages.push({ kind: MessageKind.ACK, tick: newestTick });
    }
    return messages;
  }
}
