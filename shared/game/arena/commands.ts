import type { CommandSpec } from "../../protocol/command_schema.ts";

/**
 * The arena's client commands, declared once for the server (which adds the handlers) and the
 * client (which checks what it sends): `chat` sends a line to the room, `colour` picks the hue
 * the player is drawn in.
 */
export const ARENA_COMMANDS = {
  chat: {
    name: "chat",
    args: [{ name: "text", type: "string", maxChars: 120 }],
    perSecond: 1,
    burst: 3,
  },
  colour: {
    name: "colour",
    args: [{ name: "hue", type: "int", min: 0, max: 359 }],
    perSecond: 2,
    burst: 2,
  },
} as const satisfies Record<string, CommandSpec>;
