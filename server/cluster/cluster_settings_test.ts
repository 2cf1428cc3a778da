import assert from "node:assert/strict";
import { parseSettings, type ServerSettings } from "../config.ts";
import { clusterSettingsProblem } from "./cluster_settings.ts";

function settingsOf(args: string[]): ServerSettings {
  const request = parseSettings(args, () => undefined);
  if (request.help) throw new TypeError("Unexpected --help");
  return request.settings;
}

Deno.test("the cluster settings parse their URLs and secret, and refuse bad ones", () => {
  const settings = settingsOf([
    "--redis",
    "redis://10.0.0.9:6379",
    "--public-url",
    "wss://play.example/ws",
    "--secret",
    "x".repeat(32),
  ]);
  assert.equal(settings.redisUrl, "redis://10.0.0.9:6379");
  assert.equal(settings.publicUrl, "wss://play.example/ws");
  assert.equal(clusterSettingsProblem(settings), null);
  assert.throws(
    () => settingsOf(["--redis", "http://x"]),
    /Invalid --redis http:\/\/x: expected a redis:/,
  );
  assert.throws(() => settingsOf(["--public-url", "nope"]), /expected a URL like ws:\/\/HOST:PORT/);
  assert.throws(() => settingsOf(["--secret", "short"]), /expected at least 32 characters/);
});

Deno.test("clusterSettingsProblem() wants a secret with Redis and a refresh below the lease", () => {
  assert.match(
    clusterSettingsProblem(settingsOf(["--redis", "redis://127.0.0.1:6379"])) ?? "",
    /^Cluster mode \(--redis\) needs --secret or GAME_SECRET/,
  );
  assert.match(
    clusterSettingsProblem(settingsOf(["--lease-ttl-ms", "1000", "--lease-refresh-ms", "1000"])) ??
      "",
    /must be below --lease-ttl-ms 1000/,
  );
  assert.equal(clusterSettingsProblem(settingsOf([])), null, "the embedded default needs nothing");
});
