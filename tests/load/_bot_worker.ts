/**
 * Worker entry of {@linkcode runBots}: runs one {@linkcode BotFleet} and answers the main
 * thread's calls (`{ id, method }` → `{ id, ok, result | error }`).
 * @module
 */
import { BotFleet, type BotFleetOptions } from "./bot_fleet.ts";

interface Call {
  id: number;
  method: string;
  options?: BotFleetOptions;
}

/** The worker's global scope, typed without the worker lib (this repo checks with the window lib). */
const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<Call>) => void) | null;
  postMessage(message: unknown): void;
};

let fleet: BotFleet | undefined;

function theFleet(): BotFleet {
  if (fleet === undefined) throw new TypeError("Cannot call the fleet before init");
  return fleet;
}

async function answer(call: Call): Promise<unknown> {
  switch (call.method) {
    case "init":
      if (call.options === undefined) throw new TypeError("Cannot init: no options");
      fleet = new BotFleet(call.options);
      return undefined;
    case "connect":
      return await theFleet().connect();
    case "start":
      return theFleet().start();
    case "counters":
      return theFleet().counters();
    case "second":
      return theFleet().second();
    case "beginWindow":
      return theFleet().beginWindow();
    case "endWindow":
      return theFleet().endWindow();
    case "stop":
      return await theFleet().stop();
    default:
      throw new TypeError(`Unknown call ${call.method}`);
  }
}

scope.onmessage = (event) => {
  const call = event.data;
  answer(call).then(
    (result) => scope.postMessage({ id: call.id, ok: true, result }),
    (error: unknown) => scope.postMessage({ id: call.id, ok: false, error: String(error) }),
  );
};
