import { UpgradeRefusal } from "../server/transport/handshake.ts";
import assert from "node:assert/strict";
import { Histogram, quantileOfBuckets, TICK_BUCKETS_MS } from "../server/metrics/mod.ts";
import { PrometheusText } from "../server/metrics/_prometheus_text.ts";
import { METRIC_FAMILIES } from "../server/metrics/metric_families.ts";
import { KICK_REASONS } from "../server/transport/server_counters.ts";
import { PROTOCOL_VERSION, SUBPROTOCOL } from "../shared/protocol/mod.ts";
import { createDotsGame } from "./support/dots_game.ts";
import { startDrivenServer, TestClient } from "./support/harness.ts";
import {
  histogramBuckets,
  parsePrometheus,
  type PrometheusSeries,
  quantileBetween,
  sumSeries,
} from "./load/_prometheus_parse.ts";

async function scrape(url: string): Promise<{ text: string; series: PrometheusSeries[] }> {
  const response = await fetch(`${url}/metrics`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  const text = await response.text();
  return { text, series: parsePrometheus(text) };
}

function value(series: PrometheusSeries[], name: string, labels: Record<string, string> = {}) {
  const matches = series.filter((one) =>
    one.name === name && Object.entries(labels).every(([key, text]) => one.labels[key] === text)
  );
  assert.equal(matches.length, 1, `one series ${name} ${JSON.stringify(labels)}`);
  return matches[0]?.value;
}

Deno.test("Histogram.observe() puts a value equal to a bound in that bound's bucket", () => {
  const histogram = new Histogram([1, 2, 4]);
  for (const ms of [0, 1, 1.0001, 2, 4, 4.5, 100]) histogram.observe(ms);
  assert.deepEqual([...histogram.counts], [2, 2, 1, 2]);
  assert.equal(histogram.count, 7);
  assert.equal(histogram.sumMs, 112.5001);
});

Deno.test("quantileOfBuckets() interpolates inside a bucket and is NaN when empty", () => {
  assert.equal(quantileOfBuckets({ boundsMs: [10, 20], counts: [0, 4, 0] }, 0.5), 15);
  assert.equal(quantileOfBuckets({ boundsMs: [10, 20], counts: [0, 4, 0] }, 1), 20);
  assert.equal(
    quantileOfBuckets({ boundsMs: [10, 20], counts: [0, 0, 3] }, 0.5),
    20,
    "the open bucket reports its floor",
  );
  assert.ok(Number.isNaN(quantileOfBuckets({ boundsMs: [10, 20], counts: [0, 0, 0] }, 0.5)));
  const histogram = new Histogram();
  for (let index = 0; index < 99; index++) histogram.observe(1.1);
  histogram.observe(7);
  assert.ok(histogram.quantile(0.5) > 1 && histogram.quantile(0.5) <= 1.25);
  assert.ok(histogram.quantile(0.999) > 6 && histogram.quantile(0.999) <= 8);
});

Deno.test("PrometheusText escapes label values and writes histograms cumulatively in seconds", () => {
  const text = new PrometheusText();
  text.family("demo_total", "counter", "A demo.\nSecond line", [
    { labels: { reason: 'a "quoted" \\ value\n' }, value: 3 },
  ]);
  text.histogramSeconds("demo_seconds", "Durations.", [
    { labels: { game: "dots" }, boundsMs: [1, 10], counts: [2, 3, 1], sumMs: 40 },
  ]);
  text.family("empty", "gauge", "Left out.", []);
  const lines = text.toString().split("\n");
  assert.deepEqual(lines, [
    "# HELP demo_total A demo.\\nSecond line",
    "# TYPE demo_total counter",
    'demo_total{reason="a \\"quoted\\" \\\\ value\\n"} 3',
    "# HELP demo_seconds Durations.",
    "# TYPE demo_seconds histogram",
    'demo_seconds_bucket{game="dots",le="0.001"} 2',
    'demo_seconds_bucket{game="dots",le="0.01"} 5',
    'demo_seconds_bucket{game="dots",le="+Inf"} 6',
    'demo_seconds_sum{game="dots"} 0.04',
    'demo_seconds_count{game="dots"} 6',
    "",
  ]);
  const parsed = parsePrometheus(text.toString());
  assert.equal(parsed[0]?.labels.reason, 'a "quoted" \\ value\n');
});

Deno.test("/metrics reports rooms, players, ticks, traffic and decode errors of a live server", async () => {
  await using driven = await startDrivenServer([createDotsGame(4)], { emptyRoomTimeoutMs: 1000 });
  const url = driven.server.url;
  const a = await TestClient.join(driven.server.wsUrl, "ada");
  const b = await TestClient.join(driven.server.wsUrl, "bob");
  driven.tick(10);
  await a.snapshotAt(10);
  await b.snapshotAt(10);
  let { text, series } = await scrape(url);
  assert.equal(value(series, "game_server_rooms", { game: "dots" }), 1);
  assert.equal(value(series, "game_server_players", { game: "dots" }), 2);
  assert.equal(value(series, "game_server_connections"), 2);
  assert.equal(value(series, "game_server_ticks_total", { game: "dots" }), 10);
  assert.equal(value(series, "game_server_tick_duration_seconds_count", { game: "dots" }), 10);
  assert.equal(
    value(series, "game_server_tick_duration_seconds_bucket", { game: "dots", le: "+Inf" }),
    10,
  );
  const buckets = [...histogramBuckets(series, "game_server_tick_duration_seconds").values()];
  assert.equal(buckets.length, TICK_BUCKETS_MS.length + 1);
  assert.ok(buckets.every((count, index) => index === 0 || count >= (buckets[index - 1] ?? 0)));
  assert.equal(value(series, "game_server_snapshots_sent_total", { game: "dots" }), 20);
  assert.ok((value(series, "game_server_sent_bytes_total") ?? 0) > 0);
  assert.ok((value(series, "game_server_received_messages_total") ?? 0) >= 2);
  assert.equal(sumSeries(series, "game_server_frame_decode_errors_total"), 0);
  // Every kick reason is a series from the start, at 0, so a rate() over it has a baseline.
  for (const reason of KICK_REASONS) {
    assert.equal(value(series, "game_server_clients_kicked_total", { reason }), 0, reason);
  }
  assert.deepEqual(
    series.filter((sample) => sample.name === "game_server_clients_kicked_total").length,
    KICK_REASONS.length,
  );
  for (const reason of ["beyond_measured_lag", "beyond_max_rewind"]) {
    const labels = { game: "dots", reason };
    assert.equal(value(series, "game_server_lag_compensation_clamped_total", labels), 0, reason);
  }
  assert.ok((value(series, "process_resident_memory_bytes") ?? 0) > 0);
  // Every family is announced once, before its samples.
  const typed = new Set<string>();
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) /.exec(line);
    if (type !== null) {
      assert.ok(!typed.has(type[1] ?? ""), `${type[1]} typed once`);
      typed.add(type[1] ?? "");
    } else if (line !== "" && !line.startsWith("#")) {
      const name = line.split(/[{ ]/)[0] ?? "";
      assert.ok(
        typed.has(name) || typed.has(name.replace(/_(bucket|sum|count)$/, "")),
        `${name} has a TYPE line`,
      );
    }
  }
  // A malformed message is counted under its reason.
  const socket = new WebSocket(driven.server.wsUrl, SUBPROTOCOL);
  const closedSocket = new Promise((resolve) => socket.onclose = resolve);
  await new Promise((resolve) => socket.onopen = resolve);
  socket.send(new Uint8Array([PROTOCOL_VERSION, 4, 9, 0xc1]));
  await closedSocket;
  ({ series } = await scrape(url));
  assert.equal(sumSeries(series, "game_server_frame_decode_errors_total"), 1);
  const counted = series.filter((one) =>
    one.name === "game_server_frame_decode_errors_total" && one.value === 1
  );
  assert.equal(counted.length, 1, "counted under one reason");
  // Counters outlive the room they came from, and only grow.
  await a.leave();
  await b.leave();
  await a.until(() => driven.server.registry.rooms()[0]?.playerCount === 0, "room empty");
  ({ series } = await scrape(url));
  const ticksBefore = value(series, "game_server_ticks_total", { game: "dots" }) ?? 0;
  driven.clock.advance(1100);
  assert.equal(driven.server.registry.rooms().length, 0, "room disposed");
  ({ series } = await scrape(url));
  assert.equal(value(series, "game_server_rooms", { game: "dots" }), 0);
  assert.ok((value(series, "game_server_ticks_total", { game: "dots" }) ?? 0) >= ticksBefore);
  assert.equal(value(series, "game_server_rooms_disposed_total"), 1);
});

Deno.test("tick quantiles between two scrapes come from the histogram's growth", () => {
  const before = new Map([[0.001, 10], [0.002, 10], [Infinity, 10]]);
  const after = new Map([[0.001, 10], [0.002, 110], [Infinity, 110]]);
  assert.equal(quantileBetween({ before, after }, 0.5), 0.0015);
  assert.equal(quantileBetween({ before, after: before }, 0.5), null);
  assert.equal(sumSeries(parsePrometheus('x{a="1"} 2\nx{a="2"} 3\n'), "x"), 5);
});

Deno.test("/stats.json keeps a history of samples and lists the rooms; /stats is the page", async () => {
  await using driven = await startDrivenServer([createDotsGame(4)]);
  const metrics = driven.server.metrics;
  const a = await TestClient.join(driven.server.wsUrl, "ada");
  metrics.sample();
  driven.tick(30);
  await a.snapshotAt(30);
  metrics.sample();
  const response = await fetch(`${driven.server.url}/stats.json`);
  assert.equal(response.headers.get("cache-control"), "no-store");
  const stats = await response.json();
  assert.equal(stats.sampleIntervalMs, 1000);
  assert.equal(stats.players, 1);
  assert.equal(stats.rooms, 1);
  assert.equal(stats.history.timeSeconds.length, 2);
  assert.deepEqual(stats.history.players, [1, 1]);
  assert.ok(stats.history.bytesOutPerSecond[1] > 0);
  assert.ok(stats.history.tickP99Ms[1] > 0);
  assert.equal(stats.roomList.length, 1);
  assert.equal(stats.roomList[0].game, "dots");
  assert.equal(stats.roomList[0].players, 1);
  assert.equal(stats.roomList[0].tick, 30);
  assert.ok(stats.roomList[0].tickP99Ms > 0);
  const page = await fetch(`${driven.server.url}/stats`);
  assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
  const html = await page.text();
  for (
    const id of ["chart-tick", "chart-players", "chart-rooms", "chart-bandwidth", "rooms-body"]
  ) {
    assert.ok(html.includes(`id="${id}"`), id);
  }
  const post = await fetch(`${driven.server.url}/metrics`, { method: "POST" });
  assert.equal(post.status, 405);
  await post.body?.cancel();
  await a.leave();
});

Deno.test("the history keeps at most historyLength samples", async () => {
  await using driven = await startDrivenServer([createDotsGame(4)]);
  for (let index = 0; index < 305; index++) driven.server.metrics.sample();
  assert.equal(driven.server.metrics.report().history.timeSeconds.length, 300);
});

Deno.test("game_server_upgrades_refused_total names every refusal reason in its help and labels", async () => {
  await using driven = await startDrivenServer([createDotsGame()]);
  const { text } = await scrape(driven.server.url);
  const help = /^# HELP game_server_upgrades_refused_total (.*)$/m.exec(text)?.[1] ?? "";
  assert.match(
    help,
    /too_many_connections from one address \(429, --max-connections-per-address\)/,
  );
  for (const reason of Object.values(UpgradeRefusal)) {
    assert.ok(help.includes(reason), `${reason} in: ${help}`);
    assert.match(
      text,
      new RegExp(`^game_server_upgrades_refused_total\\{reason="${reason}"\\} 0$`, "m"),
    );
  }
});

Deno.test("one table drives /metrics and /stats.json: every row is exported, every stats figure is its rows' sum", async () => {
  await using driven = await startDrivenServer([createDotsGame()]);
  const client = await TestClient.join(driven.server.wsUrl, "ada");
  driven.tick(3);
  await client.snapshotAt(3);
  const { text, series } = await scrape(driven.server.url);
  const typed = [...text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]);
  const rows = METRIC_FAMILIES.map((family) => family.name);
  // process_cpu_seconds_total is left out where /proc cannot be read.
  assert.deepEqual(typed, rows.filter((name) => typed.includes(name)));
  assert.ok(typed.length >= rows.length - 1, `${typed.length} of ${rows.length} exported`);
  const report = driven.server.metrics.report();
  const sumOf = (name: string) => sumSeries(series, name);
  assert.equal(report.connections, sumOf("game_server_connections"));
  assert.equal(report.rooms, sumOf("game_server_rooms"));
  assert.equal(report.players, sumOf("game_server_players"));
  assert.equal(report.totals.ticksDropped, sumOf("game_server_ticks_dropped_total"));
  assert.equal(report.totals.snapshotsSkipped, sumOf("game_server_snapshots_skipped_total"));
  assert.equal(report.totals.clientsKicked, sumOf("game_server_clients_kicked_total"));
  assert.equal(report.totals.decodeErrors, sumOf("game_server_frame_decode_errors_total"));
  assert.deepEqual([report.rooms, report.players, report.connections], [1, 1, 1]);
  await client.leave();
});
