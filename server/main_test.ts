import assert from "node:assert/strict";
import { parseSettings } from "./main.ts";

const noEnv = () => undefined;

Deno.test("parseSettings() has the documented defaults", () => {
  assert.deepEqual(parseSettings([], noEnv), {
    hostname: "127.0.0.1",
    port: 8000,
    tickRateHz: 30,
    npcCount: 20,
    maxPlayers: 64,
    interestManagement: true,
    maxConnectionsPerAddress: 32,
    webTransportPort: undefined,
    certFile: undefined,
    keyFile: undefined,
  });
});

Deno.test("parseSettings() reads the WebTransport port, off, and needs --cert with --key", () => {
  assert.equal(parseSettings(["--webtransport-port", "9001"], noEnv).webTransportPort, 9001);
  assert.equal(parseSettings(["--webtransport-port=off"], noEnv).webTransportPort, "off");
  assert.throws(
    () => parseSettings(["--webtransport-port", "udp"], noEnv),
    /Invalid WebTransport port: udp/,
  );
  assert.throws(() => parseSettings(["--cert", "a.pem"], noEnv), /give both --cert and --key/);
  assert.deepEqual(
    [parseSettings(["--cert", "a.pem", "--key", "b.pem"], noEnv)].map((
      s,
    ) => [s.certFile, s.keyFile]),
    [["a.pem", "b.pem"]],
  );
});

Deno.test("parseSettings() reads flags in both forms, and flags win over the environment", () => {
  const env = (name: string) => ({ PORT: "9000", TICK_RATE: "60", INTEREST: "off" })[name];
  const settings = parseSettings(["--port=0", "--npcs", "200", "--host", "0.0.0.0"], env);
  assert.equal(settings.port, 0);
  assert.equal(settings.npcCount, 200);
  assert.equal(settings.hostname, "0.0.0.0");
  assert.equal(settings.tickRateHz, 60);
  assert.equal(settings.interestManagement, false);
});

Deno.test("parseSettings() rejects unknown flags and bad values with a clear error", () => {
  assert.throws(() => parseSettings(["--prot", "1"], noEnv), /Unknown flag --prot: use --port/);
  assert.throws(() => parseSettings(["--port", "70000"], noEnv), /Invalid port: 70000/);
  assert.throws(() => parseSettings(["--tick-rate", "0"], noEnv), /Invalid tick rate/);
  assert.throws(() => parseSettings(["--interest", "maybe"], noEnv), /expected on or off/);
  assert.throws(() => parseSettings(["--port"], noEnv), /missing value/);
  assert.throws(() => parseSettings(["8000"], noEnv), /expected --name value/);
});
