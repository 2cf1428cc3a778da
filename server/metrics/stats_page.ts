/**
 * The live stats page served at `/stats`: plain HTML and one small inline script that polls
 * `stats.json` once per sample interval and draws canvas line charts. No framework, no build.
 */
export const STATS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Game server stats</title>
<link rel="icon" href="data:,">
<style>
  body { margin: 0; padding: 16px 20px; background: #0e1014; color: #d8dde6;
    font: 14px/1.4 system-ui, sans-serif; }
  h1 { font-size: 18px; margin: 0 0 4px; }
  #status { color: #8a93a3; margin-bottom: 12px; }
  #status.down { color: #ff6b6b; }
  .figures { display: flex; flex-wrap: wrap; gap: 18px; margin-bottom: 14px; }
  .figures div { color: #8a93a3; }
  .figures b { display: block; color: #f2f4f8; font-size: 20px; font-variant-numeric: tabular-nums; }
  .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 14px; }
  figure { margin: 0; background: #14171c; border: 1px solid #242a33; border-radius: 6px; padding: 8px; }
  figcaption { color: #aab2bf; margin-bottom: 4px; }
  figcaption span { margin-left: 10px; font-size: 12px; }
  canvas { width: 100%; height: 160px; display: block; }
  table { border-collapse: collapse; margin-top: 16px; min-width: 480px; }
  th, td { text-align: right; padding: 3px 10px; border-bottom: 1px solid #242a33;
    font-variant-numeric: tabular-nums; }
  th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) { text-align: left; }
  th { color: #8a93a3; font-weight: normal; }
</style>
</head>
<body>
<h1>Game server</h1>
<div id="status">connecting…</div>
<div class="figures">
  <div>connections<b id="v-connections">–</b></div>
  <div>players<b id="v-players">–</b></div>
  <div>rooms<b id="v-rooms">–</b></div>
  <div>tick p50 / p99 (ms)<b id="v-tick">–</b></div>
  <div>out (KB/s)<b id="v-bandwidth">–</b></div>
  <div>ticks dropped<b id="v-dropped">–</b></div>
  <div>snapshots skipped<b id="v-skipped">–</b></div>
  <div>clients kicked<b id="v-kicked">–</b></div>
  <div>decode errors<b id="v-decode">–</b></div>
</div>
<div class="charts">
  <figure><figcaption>Tick time, ms<span style="color:#4fc3f7">p50</span><span style="color:#ff8a65">p99</span></figcaption><canvas id="chart-tick"></canvas></figure>
  <figure><figcaption>Players</figcaption><canvas id="chart-players"></canvas></figure>
  <figure><figcaption>Rooms</figcaption><canvas id="chart-rooms"></canvas></figure>
  <figure><figcaption>Bandwidth out, KB/s</figcaption><canvas id="chart-bandwidth"></canvas></figure>
</div>
<table>
  <thead><tr><th>room</th><th>game</th><th>players</th><th>tick</th><th>p50 ms</th><th>p99 ms</th><th>mean ms</th></tr></thead>
  <tbody id="rooms-body"></tbody>
</table>
<p id="cluster-summary">cluster: –</p>
<table>
  <thead><tr><th>process</th><th>url</th><th>rooms</th><th>players</th><th>tick p99 ms</th><th>state</th></tr></thead>
  <tbody id="cluster-body"></tbody>
</table>
<script>
"use strict";
const CHARTS = [
  { id: "chart-tick", series: [["tickP50Ms", "#4fc3f7"], ["tickP99Ms", "#ff8a65"]], scale: 1 },
  { id: "chart-players", series: [["players", "#81c784"]], scale: 1 },
  { id: "chart-rooms", series: [["rooms", "#ba68c8"]], scale: 1 },
  { id: "chart-bandwidth", series: [["bytesOutPerSecond", "#ffd54f"]], scale: 1 / 1000 },
];
const byId = (id) => document.getElementById(id);
const fixed = (value, digits) => value === null || value === undefined ? "–" : value.toFixed(digits);

function niceCeiling(value) {
  if (!(value > 0)) return 1;
  const power = Math.pow(10, Math.floor(Math.log10(value)));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function draw(canvas, times, columns, scale) {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const context = canvas.getContext("2d");
  context.fillStyle = "#14171c";
  context.fillRect(0, 0, width, height);
  let top = 0;
  for (const [values] of columns) {
    for (const value of values) if (value !== null && value * scale > top) top = value * scale;
  }
  top = niceCeiling(top);
  const left = 44 * ratio;
  const bottom = height - 16 * ratio;
  context.font = (11 * ratio) + "px system-ui, sans-serif";
  context.lineWidth = ratio;
  for (let line = 0; line <= 4; line++) {
    const y = bottom - (bottom - 6 * ratio) * line / 4;
    context.strokeStyle = "#262c35";
    context.beginPath();
    context.moveTo(left, y);
    context.lineTo(width, y);
    context.stroke();
    context.fillStyle = "#6b7280";
    const label = top * line / 4;
    context.fillText(label >= 100 ? label.toFixed(0) : String(Number(label.toPrecision(3))), 4 * ratio, y + 4 * ratio);
  }
  if (times.length === 0) return;
  const last = times[times.length - 1];
  // At least 60 samples wide, so a fresh server's few points do not fill the chart.
  const span = Math.max(60 * intervalMs / 1000, last - times[0]);
  context.fillStyle = "#6b7280";
  context.fillText("last " + Math.round(span) + " s", left, height - 3 * ratio);
  const xOf = (time) => left + (width - left) * (1 - (last - time) / span);
  const yOf = (value) => bottom - (bottom - 6 * ratio) * Math.min(1, value * scale / top);
  context.lineWidth = 2 * ratio;
  for (const [values, color] of columns) {
    context.strokeStyle = color;
    context.beginPath();
    let drawing = false;
    for (let index = 0; index < times.length; index++) {
      const value = values[index];
      if (value === null || value === undefined) {
        drawing = false;
        continue;
      }
      const x = xOf(times[index]);
      const y = yOf(value);
      if (drawing) context.lineTo(x, y);
      else context.moveTo(x, y);
      if (times.length === 1) context.lineTo(x + 2 * ratio, y);
      drawing = true;
    }
    context.stroke();
  }
}

function cell(row, text) {
  const td = document.createElement("td");
  td.textContent = text;
  row.appendChild(td);
}

function render(stats) {
  const history = stats.history;
  const n = history.timeSeconds.length;
  const latest = (column) => n > 0 ? history[column][n - 1] : null;
  byId("v-connections").textContent = String(stats.connections);
  byId("v-players").textContent = String(stats.players);
  byId("v-rooms").textContent = String(stats.rooms);
  byId("v-tick").textContent = fixed(latest("tickP50Ms"), 2) + " / " + fixed(latest("tickP99Ms"), 2);
  const out = latest("bytesOutPerSecond");
  byId("v-bandwidth").textContent = out === null ? "–" : (out / 1000).toFixed(1);
  byId("v-dropped").textContent = String(stats.totals.ticksDropped);
  byId("v-skipped").textContent = String(stats.totals.snapshotsSkipped);
  byId("v-kicked").textContent = String(stats.totals.clientsKicked);
  byId("v-decode").textContent = String(stats.totals.decodeErrors);
  for (const chart of CHARTS) {
    const columns = chart.series.map(([name, color]) => [history[name], color]);
    draw(byId(chart.id), history.timeSeconds, columns, chart.scale);
  }
  const body = byId("rooms-body");
  body.replaceChildren();
  for (const room of stats.roomList) {
    const row = document.createElement("tr");
    cell(row, room.id);
    cell(row, room.game);
    cell(row, String(room.players));
    cell(row, String(room.tick));
    cell(row, fixed(room.tickP50Ms, 2));
    cell(row, fixed(room.tickP99Ms, 2));
    cell(row, fixed(room.tickMeanMs, 2));
    body.appendChild(row);
  }
  byId("status").textContent = "up " + stats.uptimeSeconds + " s, sampled every " + stats.sampleIntervalMs + " ms";
  byId("status").className = "";
}

/** Every process of the cluster (the embedded default is a cluster of one), from cluster.json. */
async function renderCluster() {
  const response = await fetch("cluster.json", { cache: "no-store" });
  const cluster = await response.json();
  const summary = byId("cluster-summary");
  if (!response.ok) {
    summary.textContent = "cluster: " + cluster.error;
    return;
  }
  const players = cluster.processes.reduce((sum, process) => sum + process.players, 0);
  const count = (n, one, many) => n + " " + (n === 1 ? one : many);
  summary.textContent = "cluster: " + count(cluster.processes.length, "process", "processes") +
    ", " + count(cluster.rooms.length, "listed room", "listed rooms") + ", " +
    count(players, "player", "players");
  const body = byId("cluster-body");
  body.replaceChildren();
  for (const process of cluster.processes) {
    const row = document.createElement("tr");
    cell(row, process.processId + (process.processId === cluster.processId ? " (this one)" : ""));
    cell(row, process.httpUrl);
    cell(row, String(process.rooms));
    cell(row, String(process.players));
    cell(row, fixed(process.tickP99Ms, 2));
    cell(row, process.draining ? "draining" : "open");
    body.appendChild(row);
  }
}

let intervalMs = 1000;
async function poll() {
  try {
    const response = await fetch("stats.json", { cache: "no-store" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    const stats = await response.json();
    intervalMs = stats.sampleIntervalMs;
    render(stats);
    await renderCluster();
  } catch (error) {
    byId("status").textContent = "cannot reach the server: " + error.message;
    byId("status").className = "down";
  }
  setTimeout(poll, intervalMs);
}
poll();
</script>
</body>
</html>
`;
