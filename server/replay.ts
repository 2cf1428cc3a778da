/**
 * Tools for match recordings: `deno task replay:verify FILE [--sync-test]` re-simulates a
 * recording headless and compares the state hash of every tick; `deno task replay:info FILE`
 * prints its header, duration, players and size. The games a recording can name are listed
 * here, as `main.ts` lists the games it serves.
 * @module
 */
import { arenaOptionsFrom, createArenaGame } from "./games/arena.ts";
import type { Game } from "./rooms/game.ts";
import { verifyRecording, type VerifyReport } from "./recording/verify.ts";
import { Recording } from "../shared/recording/mod.ts";

/** Builds a game from the options a recording's header carries. */
export type GameFactory = (options: Record<string, string | number | boolean>) => Game<unknown>;

/** The games recordings can be replayed with, by name. */
export const REPLAY_GAMES: Readonly<Record<string, GameFactory>> = {
  arena: (options) => createArenaGame(arenaOptionsFrom(options)) as Game<unknown>,
};

/** The game a recording names, built with its recorded options. */
export function gameFor(recording: Recording, games = REPLAY_GAMES): Game<unknown> {
  const factory = games[recording.header.game];
  if (factory === undefined) {
    throw new TypeError(
      `Cannot replay recording: it is of game ${recording.header.game}, this build replays ${
        Object.keys(games).join(", ")
      }`,
    );
  }
  return factory(recording.header.gameOptions);
}

/** Lines describing a recording: header, duration, players, size, keyframes. */
export async function describeRecording(recording: Recording): Promise<string[]> {
  const header = recording.header;
  const players = new Map<number, { name: string; from: number; to: number | null }>();
  let lastTick = 0, inputs = 0;
  let failure: string | null = null;
  for await (const chunk of recording.readChunks()) {
    for (const tick of chunk.ticks) {
      for (const op of tick.ops) {
        if (op.kind === "join") {
          players.set(op.playerId, { name: op.name, from: tick.tick, to: null });
        } else if (op.kind === "leave") {
          const player = players.get(op.playerId);
          if (player !== undefined) player.to = tick.tick;
        } else inputs++;
      }
      lastTick = tick.tick;
    }
    failure ??= chunk.failure;
  }
  const seconds = lastTick / header.tickRateHz;
  const lines = [
    `room        ${header.roomId} (${header.game} version ${header.gameVersion}, options ${
      JSON.stringify(header.gameOptions)
    })`,
    `recorded    ${header.startedAt} by server build ${header.serverBuild}, Deno ${header.denoVersion}, V8 ${header.v8Version}`,
    `format      version ${header.formatVersion}, protocol version ${header.protocolVersion}, seed ${header.seed}`,
    `duration    ${lastTick} ticks at ${header.tickRateHz} Hz = ${seconds.toFixed(1)} s`,
    `size        ${recording.fileBytes} bytes (${
      seconds > 0 ? (recording.fileBytes / 1024 / (seconds / 60)).toFixed(1) : "-"
    } KiB per minute), ${recording.chunks.length} chunks, ${inputs} inputs`,
    `keyframes   ${recording.keyframes.length} every ${header.keyframeEveryTicks} ticks (${
      recording.indexRebuilt ? "index rebuilt by a scan: the file was not finished" : "indexed"
    })${recording.cutBytes > 0 ? `, ${recording.cutBytes} bytes of a cut chunk ignored` : ""}`,
    `players     ${players.size}`,
  ];
  for (const [id, player] of players) {
    lines.push(
      `  ${String(id).padStart(5)} ${player.name}: ticks ${player.from}–${player.to ?? lastTick}`,
    );
  }
  if (failure !== null) lines.push(`crashed     ${failure.split("\n")[0]}`);
  return lines;
}

/** Lines describing a verify report. */
export function describeReport(report: VerifyReport, header: Recording["header"]): string[] {
  const seconds = report.ticks / header.tickRateHz;
  const speed = seconds * 1000 / Math.max(report.elapsedMs, 0.001);
  const lines: string[] = [];
  if (!report.hashed) {
    lines.push("warning: the game declares no state hash; only joins are checked");
  }
  if (report.divergence === null) {
    lines.push(
      `ok: ${report.ticks} ticks (${seconds.toFixed(1)} s) replayed identically in ${
        report.elapsedMs.toFixed(0)
      } ms (${speed.toFixed(0)}× real time); final hash ${hex(report.finalHash)}`,
    );
  } else {
    const divergence = report.divergence;
    lines.push(
      `diverged at tick ${divergence.tick}: recorded hash ${hex(divergence.expectedHash)}, replay ${
        divergence.actualHash === null ? "threw" : hex(divergence.actualHash)
      } (ticks 1–${divergence.tick - 1} matched)`,
      ...divergence.details.map((line) => `  ${line}`),
    );
  }
  if (report.crash !== null) {
    const crash = report.crash;
    lines.push(
      `crash at tick ${crash.tick}: ${crash.recorded.split("\n")[0]}`,
      crash.replayed === null
        ? "  the replay did not throw there"
        : `  reproduced: ${crash.replayed}`,
    );
  }
  return lines;
}

function hex(value: number): string {
  return value.toString(16).padStart(8, "0");
}

async function main(args: string[]): Promise<number> {
  const [command, path, ...rest] = args;
  if ((command !== "verify" && command !== "info") || path === undefined) {
    console.error("Usage: replay.ts verify FILE [--sync-test] | replay.ts info FILE");
    return 2;
  }
  let recording: Recording;
  try {
    recording = Recording.open(await Deno.readFile(path));
  } catch (error) {
    console.error(`Cannot read ${path}: ${error instanceof Error ? error.message : error}`);
    return 2;
  }
  if (command === "info") {
    for (const line of await describeRecording(recording)) console.log(line);
    return 0;
  }
  const unknown = rest.filter((arg) => arg !== "--sync-test");
  if (unknown.length > 0) {
    console.error(`Unknown argument ${unknown[0]}: use --sync-test`);
    return 2;
  }
  let report: VerifyReport;
  try {
    report = await verifyRecording(recording, gameFor(recording), {
      syncTest: rest.includes("--sync-test"),
    });
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  for (const line of describeReport(report, recording.header)) console.log(line);
  return report.divergence === null && (report.crash === null || report.crash.replayed !== null)
    ? 0
    : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
