// What a timer costs in Deno, the figure behind PongHolds' one timer for the whole server
// (server/transport/pong_holds.ts): a setTimeout and a clearTimeout per ping would cost this much
// per client per second of pings.

const BATCH = 20_000;
const handles: ReturnType<typeof setTimeout>[] = new Array(BATCH);

Deno.bench(`setTimeout, ${BATCH.toLocaleString("en")} in a row (then cleared untimed)`, {
  group: "timers",
}, (b) => {
  b.start();
  for (let index = 0; index < BATCH; index++) handles[index] = setTimeout(() => {}, 100_000);
  b.end();
  for (const handle of handles) clearTimeout(handle);
});

Deno.bench(`clearTimeout, ${BATCH.toLocaleString("en")} in a row`, { group: "timers" }, (b) => {
  for (let index = 0; index < BATCH; index++) handles[index] = setTimeout(() => {}, 100_000);
  b.start();
  for (const handle of handles) clearTimeout(handle);
  b.end();
});
