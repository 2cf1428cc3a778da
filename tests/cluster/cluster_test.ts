/**
 * The cluster end to end: real server processes on one real redis-server, real bots over real
 * sockets, short leases (1 s). No assertion on wall-clock time beyond generous deadlines.
 */
import assert from "node:assert/strict";
import { GameConnection, JoinRefusedError } from "../../client/net/game_connection.ts";
import { matchmake } from "../../client/net/matchmake.ts";
import { CloseCode } from "../../shared/protocol/mod.ts";
import { BotFleet } from "../load/bot_fleet.ts";
import { LatencyHistogram } from "../load/latency_histogram.ts";
import { startRedis } from "../support/redis.ts";
import { eventually, startClusterProcess, startClusterProcesses } from "./_cluster_process.ts";

Deno.test("3 processes seat 300 bots joining any in exactly 75 full 4-seat rooms", async () => {
  await using redis = await startRedis();
  const processes = await startClusterProcesses(3, { redisUrl: redis.url });
  const fleet = new BotFleet({
    url: "",
    rooms: 1,
    playersPerRoom: 300,
    joinAny: true,
    matchmakeUrls: processes.map((process) => process.url),
    inputHz: 10,
    connectConcurrency: 24,
  });
  try {
    await fleet.connect();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const placements = fleet.placements();
    const perRoom = new Map<string, number>();
    for (const placement of placements) {
      assert.ok(
        placement.roomId !== null,
        `a bot failed: ${JSON.stringify(fleet.counters().failedBy)}`,
      );
      perRoom.set(placement.roomId, (perRoom.get(placement.roomId) ?? 0) + 1);
    }
    assert.equal(perRoom.size, 75, "exactly 75 rooms");
    assert.deepEqual(new Set(perRoom.values()), new Set([4]), "every room has exactly 4");
    const owners = new Set([...perRoom.keys()].map((roomId) => roomId.split(".")[1]));
    assert.deepEqual(owners, new Set(processes.map((process) => process.processId)));
    assert.equal(placements.filter((placement) => placement.snapshots === 0).length, 0);
    const matchmake = new LatencyHistogram(fleet.counters().matchmake);
    assert.equal(matchmake.count, 300);
    console.log(
      `matchmaking over ${matchmake.count} requests: p50 ${matchmake.quantile(0.5)} ms, p95 ${
        matchmake.quantile(0.95)
      } ms`,
    );
  } finally {
    await fleet.stop();
    await Promise.all(processes.map((process) => process.stop()));
  }
});

/** A player: matchmakes at `httpUrl`, connects where it is told, counts its snapshots. */
async function player(httpUrl: string, room: string, name = "p") {
  const ticket = await matchmake(`${httpUrl}/matchmake`, "arena", room);
  const connection = await GameConnection.open({
    url: ticket.url,
    game: "arena",
    room: ticket.roomId,
    seat: ticket.seat,
    name,
  });
  const seen = { snapshots: 0, closeCode: null as number | null };
  connection.handlers.onSnapshot = (snapshot) => {
    seen.snapshots++;
    connection.queue({ kind: 3, tick: snapshot.tick });
    connection.flush();
  };
  connection.handlers.onClose = (code) => seen.closeCode = code;
  return { connection, seen, roomId: connection.welcome.roomId, url: ticket.url };
}

async function clusterRooms(httpUrl: string): Promise<string[]> {
  const response = await fetch(`${httpUrl}/cluster.json`);
  const body = await response.json() as { rooms?: { roomId: string }[] };
  return (body.rooms ?? []).map((room) => room.roomId);
}

async function keysOf(redis: { command(...args: string[]): Promise<string> }, processId: string) {
  return (await redis.command("KEYS", "*")).split("\n").filter((key) => key.includes(processId));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("SIGKILL of one of 3 processes: its listings and keys go, its players rejoin elsewhere", async () => {
  await using redis = await startRedis();
  const processes = await startClusterProcesses(3, { redisUrl: redis.url });
  const players = [];
  try {
    for (let index = 0; index < 6; index++) {
      players.push(await player(processes[0]?.url ?? "", `room${index}`, `p${index}`));
    }
    const first = players[0];
    assert.ok(first !== undefined);
    const victimId = first.roomId.split(".")[1] ?? "";
    const victim = processes.find((process) => process.processId === victimId);
    const survivors = processes.filter((process) => process !== victim);
    assert.ok(victim !== undefined && survivors.length === 2);
    const orphans = players.filter((each) => each.roomId.endsWith(`.${victimId}`));
    victim.signal("SIGKILL");
    const survivorUrl = survivors[0]?.url ?? "";
    assert.ok(
      await eventually(
        async () => (await clusterRooms(survivorUrl)).every((id) => !id.endsWith(`.${victimId}`)),
        3000,
      ),
      "the dead process's listings vanish with its lease",
    );
    for (let index = 0; index < 8; index++) {
      const later = await player(survivors[index % 2]?.url ?? "", "any", `late${index}`);
      assert.ok(!later.roomId.endsWith(`.${victimId}`));
      later.connection.close();
    }
    for (const orphan of orphans) {
      assert.ok(await eventually(() => orphan.seen.closeCode !== null, 3000));
      // The client's reconnect: its old room id through /matchmake of a live process.
      const back = await player(survivorUrl, orphan.roomId, "back");
      assert.equal(back.roomId.split(".")[0], orphan.roomId.split(".")[0], "same room name");
      assert.notEqual(back.roomId, orphan.roomId);
      assert.ok(await eventually(() => back.seen.snapshots > 0, 3000));
      back.connection.close();
    }
    assert.ok(
      await eventually(async () => (await keysOf(redis, victimId)).length === 0, 3000),
      `no key of the dead process after 3 TTLs: ${await keysOf(redis, victimId)}`,
    );
  } finally {
    for (const each of players) each.connection.close();
    await Promise.all(processes.map((process) => process.stop()));
  }
});

Deno.test("SIGSTOP shorter than the lease loses nothing; longer, the listings come back on SIGCONT", async () => {
  await using redis = await startRedis();
  // A 2 s lease: the short stop (0.4 s) stays well inside it even on a loaded machine.
  const processes = await startClusterProcesses(2, { redisUrl: redis.url, leaseTtlMs: 2000 });
  const [a, b] = processes;
  assert.ok(a !== undefined && b !== undefined);
  const members = [];
  try {
    const host = await player(a.url, "stopme", "host");
    members.push(host);
    const ownerId = host.roomId.split(".")[1] ?? "";
    const owner = processes.find((process) => process.processId === ownerId);
    const other = processes.find((process) => process !== owner);
    assert.ok(owner !== undefined && other !== undefined);

    owner.signal("SIGSTOP");
    await sleep(400);
    owner.signal("SIGCONT");
    const before = host.seen.snapshots;
    assert.ok(await eventually(() => host.seen.snapshots > before + 3, 3000), "still playing");
    assert.equal(host.seen.closeCode, null);
    const again = await player(other.url, "stopme", "guest");
    members.push(again);
    assert.equal(again.roomId, host.roomId, "the same room, still listed");

    owner.signal("SIGSTOP");
    assert.ok(
      await eventually(async () => !(await clusterRooms(other.url)).includes(host.roomId), 6000),
      "a stopped process's listings vanish once its lease runs out",
    );
    const meanwhile = await player(other.url, "stopme", "meanwhile");
    members.push(meanwhile);
    assert.equal(meanwhile.roomId, `stopme.${other.processId}`);
    owner.signal("SIGCONT");
    assert.ok(
      await eventually(async () => (await clusterRooms(other.url)).includes(host.roomId), 3000),
      "the resumed process re-lists its room",
    );
    const later = await player(a.url, "stopme", "later");
    members.push(later);
    assert.equal(later.roomId, meanwhile.roomId, "the name keeps one room: no duplicate is joined");
    const resumed = host.seen.snapshots;
    assert.ok(await eventually(() => host.seen.snapshots > resumed + 3, 3000), "host plays on");
  } finally {
    for (const each of members) each.connection.close();
    await Promise.all(processes.map((process) => process.stop()));
  }
});

Deno.test("a redis-server restart: rooms keep ticking, matchmaking answers 503, both re-register", async () => {
  await using redis = await startRedis();
  const processes = await startClusterProcesses(2, { redisUrl: redis.url });
  const members = [];
  try {
    for (let index = 0; index < 4; index++) {
      members.push(await player(processes[index % 2]?.url ?? "", `keep${index}`, `k${index}`));
    }
    await redis.stop();
    const counts = members.map((member) => member.seen.snapshots);
    await sleep(1000);
    members.forEach((member, index) => {
      assert.ok(member.seen.snapshots >= (counts[index] ?? 0) + 5, "snapshots flow without Redis");
      assert.equal(member.seen.closeCode, null);
    });
    const down = await fetch(`${processes[0]?.url}/matchmake`, {
      method: "POST",
      body: JSON.stringify({ game: "arena", room: "any" }),
    });
    assert.equal(down.status, 503);
    assert.match((await down.json()).error, /room directory is unreachable/);
    await redis.restart();
    assert.ok(
      await eventually(async () => {
        const processIds = (await (await fetch(`${processes[1]?.url}/cluster.json`)).json())
          .processes?.map((process: { processId: string }) => process.processId) ?? [];
        return processIds.length === 2;
      }, 5000),
      "both processes re-register within 5 s",
    );
    const rooms = await clusterRooms(processes[0]?.url ?? "");
    for (const member of members) assert.ok(rooms.includes(member.roomId), "listings re-written");
    const after = await player(processes[0]?.url ?? "", "keep0", "again");
    members.push(after);
    assert.equal(after.roomId, members[0]?.roomId);
  } finally {
    for (const each of members) each.connection.close();
    await Promise.all(processes.map((process) => process.stop()));
  }
});

Deno.test("SIGTERM drains: new seats go to the other process, the room closes with 1012, exit 0", async () => {
  await using redis = await startRedis();
  const processes = await startClusterProcesses(2, { redisUrl: redis.url, drainSeconds: 2 });
  const members = [];
  try {
    const stayer = await player(processes[0]?.url ?? "", "drainme", "stayer");
    members.push(stayer);
    const ownerId = stayer.roomId.split(".")[1] ?? "";
    const owner = processes.find((process) => process.processId === ownerId);
    const other = processes.find((process) => process !== owner);
    assert.ok(owner !== undefined && other !== undefined);
    owner.signal("SIGTERM");
    assert.ok(
      await eventually(async () => {
        const cluster = await (await fetch(`${other.url}/cluster.json`)).json();
        return cluster.processes?.some((process: { processId: string; draining: boolean }) =>
          process.processId === owner.processId && process.draining
        );
      }, 2000),
      "the lease says draining at once",
    );
    for (let index = 0; index < 4; index++) {
      const newcomer = await player(other.url, "drainme", `n${index}`);
      members.push(newcomer);
      assert.ok(
        newcomer.roomId.endsWith(`.${other.processId}`),
        "joins during the drain go elsewhere",
      );
    }
    const before = stayer.seen.snapshots;
    await sleep(500);
    assert.ok(stayer.seen.snapshots > before, "the draining room keeps running");
    assert.ok(await eventually(() => stayer.seen.closeCode !== null, 5000));
    assert.equal(stayer.seen.closeCode, CloseCode.SERVICE_RESTART);
    const status = await owner.child.status;
    assert.equal(status.code, 0);
    assert.deepEqual(await keysOf(redis, owner.processId), []);
  } finally {
    for (const each of members) each.connection.close();
    await Promise.all(processes.map((process) => process.stop()));
  }
});

Deno.test("a seat is refused with 4009 when reused or presented to another process", async () => {
  await using redis = await startRedis();
  const processes = await startClusterProcesses(2, { redisUrl: redis.url });
  try {
    const ticket = await matchmake(`${processes[0]?.url}/matchmake`, "arena", "once");
    const first = await GameConnection.open({
      url: ticket.url,
      game: "arena",
      room: ticket.roomId,
      seat: ticket.seat,
      name: "a",
    });
    await assert.rejects(
      GameConnection.open({
        url: ticket.url,
        game: "arena",
        room: ticket.roomId,
        seat: ticket.seat,
        name: "b",
      }),
      (error) => error instanceof JoinRefusedError && error.code === CloseCode.SEAT_REFUSED,
    );
    const elsewhere = processes.find((process) => process.wsUrl !== ticket.url);
    const second = await matchmake(`${processes[0]?.url}/matchmake`, "arena", "once");
    await assert.rejects(
      GameConnection.open({
        url: elsewhere?.wsUrl ?? "",
        game: "arena",
        room: second.roomId,
        seat: second.seat,
        name: "c",
      }),
      (error) =>
        error instanceof JoinRefusedError && error.code === CloseCode.SEAT_REFUSED &&
        /another process/.test(error.message),
    );
    first.close();
  } finally {
    await Promise.all(processes.map((process) => process.stop()));
  }
});

Deno.test("after its process restarts, a reconnect token gets a clear 4007 and matchmaking finds a fresh room", async () => {
  await using redis = await startRedis();
  const [first] = await startClusterProcesses(1, { redisUrl: redis.url });
  assert.ok(first !== undefined);
  const port = Number(new URL(first.url).port);
  const played = await player(first.url, "comeback", "ada");
  const token = played.connection.welcome.reconnectToken;
  first.signal("SIGKILL");
  await first.child.status;
  const restarted = await startClusterProcess({ redisUrl: redis.url, port });
  try {
    await assert.rejects(
      GameConnection.open({
        url: restarted.wsUrl,
        game: "arena",
        room: played.roomId,
        reconnectToken: token,
        name: "ada",
      }),
      (error) =>
        error instanceof JoinRefusedError && error.code === CloseCode.BAD_TOKEN &&
        /no longer exists/.test(error.message),
      "the shared secret verifies the token; the room is what is gone",
    );
    const back = await player(restarted.url, played.roomId, "ada");
    assert.equal(back.roomId, `comeback.${restarted.processId}`);
    back.connection.close();
  } finally {
    await restarted.stop();
  }
});
