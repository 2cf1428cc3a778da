/**
 * `POST /matchmake` and seat-bearing joins in the embedded default (one process, the in-memory
 * directory): the same answers a client gets from a cluster.
 */
import assert from "node:assert/strict";
import { GameConnection, JoinRefusedError } from "../../client/net/game_connection.ts";
import { matchmake, MatchmakeError } from "../../client/net/matchmake.ts";
import { CloseCode } from "../../shared/protocol/mod.ts";
import { createDotsGame } from "../support/dots_game.ts";
import { startDrivenServer } from "../support/harness.ts";

function post(url: string, body: string, method = "POST"): Promise<Response> {
  return fetch(`${url}/matchmake`, method === "POST" ? { method, body } : { method });
}

function joinWith(ticket: { url: string; roomId: string; seat: string }, name: string) {
  return GameConnection.open({
    url: ticket.url,
    game: "dots",
    room: ticket.roomId,
    seat: ticket.seat,
    name,
  });
}

function refusedWith(code: number, pattern: RegExp) {
  return (error: unknown) =>
    error instanceof JoinRefusedError && error.code === code && pattern.test(error.message);
}

Deno.test("POST /matchmake seats players of one named room together in the embedded default", async () => {
  await using driven = await startDrivenServer([createDotsGame(2)]);
  const { server } = driven;
  const ticket = await matchmake(`${server.url}/matchmake`, "dots", "friends");
  assert.equal(ticket.url, server.wsUrl);
  assert.equal(ticket.roomId, `friends.${server.cluster.processId}`);
  const first = await joinWith(ticket, "ada");
  assert.equal(first.welcome.roomId, ticket.roomId);
  const second = await joinWith(
    await matchmake(`${server.url}/matchmake`, "dots", "friends"),
    "bob",
  );
  assert.equal(second.welcome.roomId, ticket.roomId);
  await assert.rejects(
    matchmake(`${server.url}/matchmake`, "dots", "friends"),
    (error) =>
      error instanceof MatchmakeError && error.status === 409 && /full/.test(error.message),
  );
  const any = await matchmake(`${server.url}/matchmake`, "dots", "any");
  assert.notEqual(any.roomId, ticket.roomId, "any skips the full room");
  first.close();
  second.close();
});

Deno.test("POST /matchmake answers bad requests with a status and a reason", async () => {
  await using driven = await startDrivenServer([createDotsGame(2)]);
  const { url } = driven.server;
  const cases: [Response, number, RegExp][] = [
    [await post(url, "", "GET"), 405, /POST/],
    [await post(url, "not json"), 400, /not a JSON object/],
    [await post(url, JSON.stringify({ game: "dots", room: "x".repeat(2000) })), 400, /1024 bytes/],
    [await post(url, JSON.stringify({ game: "chess", room: "any" })), 404, /no game named "chess"/],
    [await post(url, JSON.stringify({ game: "dots", room: "../etc" })), 400, /is not any, new/],
    [await post(url, JSON.stringify({ game: 7, room: "any" })), 400, /two strings/],
  ];
  for (const [response, status, pattern] of cases) {
    assert.equal(response.status, status);
    assert.match((await response.json()).error, pattern);
  }
});

Deno.test("a join presenting a reused, forged or expired seat is refused with 4009", async () => {
  await using driven = await startDrivenServer([createDotsGame(4)], {
    cluster: { seatTtlMs: 300 },
  });
  const { server } = driven;
  const ticket = await matchmake(`${server.url}/matchmake`, "dots", "any");
  const seated = await joinWith(ticket, "ada");
  await assert.rejects(
    joinWith(ticket, "copy"),
    refusedWith(CloseCode.SEAT_REFUSED, /expired or was already used/),
  );
  const fresh = await matchmake(`${server.url}/matchmake`, "dots", "any");
  const forged = `${fresh.seat.slice(0, -2)}${fresh.seat.endsWith("A") ? "B" : "A"}A`;
  await assert.rejects(
    joinWith({ ...fresh, seat: forged }, "forger"),
    refusedWith(CloseCode.SEAT_REFUSED, /signature does not match|malformed/),
  );
  await new Promise((resolve) => setTimeout(resolve, 400));
  await assert.rejects(
    joinWith(fresh, "late"),
    refusedWith(CloseCode.SEAT_REFUSED, /expired/),
  );
  seated.close();
});

Deno.test("the game-agnostic server never imports the Redis client statically", async () => {
  const offenders: string[] = [];
  const walk = async (folder: string) => {
    for await (const entry of Deno.readDir(folder)) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.name.endsWith(".ts") && !path.endsWith("cluster/redis_directory.ts")) {
        const text = await Deno.readTextFile(path);
        if (/^import[^;]*from\s+"[^"]*(@redis\/client|redis_directory\.ts)"/m.test(text)) {
          offenders.push(path);
        }
      }
    }
  };
  await walk(new URL("../../server", import.meta.url).pathname);
  assert.deepEqual(offenders, [], "only a dynamic import may load the Redis client");
});
