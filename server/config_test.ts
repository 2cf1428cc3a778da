import assert from "node:assert/strict";
import { BUNDLES } from "./build_client.ts";
import { TrustedProxies } from "./transport/trusted_proxies.ts";
import {
  helpText,
  parseSettings,
  SERVER_SETTINGS,
  type ServerSettings,
  SettingsError,
} from "./config.ts";

const noEnv = () => undefined;
const ROOT = new URL("..", import.meta.url);

function settingsOf(args: string[], env: (name: string) => string | undefined = noEnv) {
  const request = parseSettings(args, env);
  assert.equal(request.help, false);
  return (request as { settings: ServerSettings }).settings;
}

function errorOf(args: string[], env: (name: string) => string | undefined = noEnv): string {
  try {
    parseSettings(args, env);
  } catch (error) {
    assert.ok(error instanceof SettingsError, `a SettingsError, not ${error}`);
    assert.doesNotMatch(error.message, /\n/, "one line");
    return error.message;
  }
  assert.fail(`parseSettings(${args.join(" ")}) accepted it`);
}

Deno.test("parseSettings() has the documented defaults", () => {
  assert.deepEqual(settingsOf([]), {
    hostname: "127.0.0.1",
    port: 8000,
    tickRateHz: 30,
    npcCount: 20,
    maxPlayers: 64,
    interestManagement: true,
    maxConnectionsPerAddress: 32,
    maxRooms: 1000,
    roomsPerAddressPerMinute: 10,
    trustedProxies: TrustedProxies.NONE,
    buildClient: false,
    redisUrl: null,
    publicUrl: null,
    secret: null,
    leaseTtlMs: 10_000,
    leaseRefreshMs: 2_000,
    seatTtlMs: 15_000,
    drainSeconds: 30,
    recordDir: null,
    recordMaxMb: 1024,
    recordGames: null,
    syncTest: false,
    webTransportPort: null,
    certFile: null,
    keyFile: null,
  });
  assert.equal(settingsOf(["--max-rooms", "5"]).maxRooms, 5);
  assert.equal(settingsOf([], (name) => name === "MAX_ROOMS" ? "7" : undefined).maxRooms, 7);
});

Deno.test("parseSettings() reads the recording settings", () => {
  const settings = settingsOf(
    [
      "--record",
      "/tmp/rec",
      "--record-max-mb=50",
      "--sync-test",
      "on",
      "--record-games",
      "arena,dots",
    ],
  );
  assert.equal(settings.recordDir, "/tmp/rec");
  assert.equal(settings.recordMaxMb, 50);
  assert.deepEqual(settings.recordGames, ["arena", "dots"]);
  assert.equal(settings.syncTest, true);
  assert.equal(
    settingsOf([], (name) => name === "RECORD" ? "recordings" : undefined).recordDir,
    "recordings",
  );
  assert.equal(
    errorOf(["--record-games", "arena,"]),
    "Invalid --record-games arena,: expected names like arena,dots or all",
  );
  assert.equal(errorOf(["--sync-test"]), "Missing value for --sync-test: e.g. --sync-test off");
});

Deno.test("parseSettings() reads the WebTransport port (auto, off or a number) and certificate files", () => {
  assert.equal(settingsOf(["--webtransport-port", "9001"]).webTransportPort, 9001);
  assert.equal(settingsOf(["--webtransport-port=off"]).webTransportPort, "off");
  assert.equal(settingsOf(["--webtransport-port=auto"]).webTransportPort, null);
  const settings = settingsOf(["--cert", "a.pem", "--key", "b.pem"]);
  assert.deepEqual([settings.certFile, settings.keyFile], ["a.pem", "b.pem"]);
  assert.equal(
    errorOf(["--webtransport-port", "udp"]),
    "Invalid --webtransport-port udp: expected auto, off or an integer in 0..65535",
  );
});

Deno.test("parseSettings() reads flags in both forms, and flags win over the environment", () => {
  const env = (name: string) =>
    ({ PORT: "9000", TICK_RATE: "60", INTEREST: "off", MAX_CONNECTIONS_PER_ADDRESS: "500" })[name];
  const settings = settingsOf(["--port=0", "--npcs", "200", "--host", "0.0.0.0"], env);
  assert.equal(settings.port, 0);
  assert.equal(settings.npcCount, 200);
  assert.equal(settings.hostname, "0.0.0.0");
  assert.equal(settings.tickRateHz, 60);
  assert.equal(settings.interestManagement, false);
  assert.equal(settings.maxConnectionsPerAddress, 500);
});

Deno.test("parseSettings() answers --help and -h wherever they are", () => {
  assert.deepEqual(parseSettings(["--port", "1", "--help"], noEnv), { help: true });
  assert.deepEqual(parseSettings(["-h", "--nonsense"], noEnv), { help: true });
});

Deno.test("parseSettings() names an unknown flag as unknown, with a hint", () => {
  assert.equal(errorOf(["--nonsense"]), "Unknown flag --nonsense: --help lists every flag");
  assert.equal(
    errorOf(["--prot", "1"]),
    "Unknown flag --prot: did you mean --port? --help lists every flag",
  );
  assert.match(errorOf(["8000"]), /^Unexpected argument 8000: settings are flags like --port/);
});

Deno.test("parseSettings() says which flag or variable holds a bad value and what it expects", () => {
  assert.equal(
    errorOf(["--port", "70000"]),
    "Invalid --port 70000: expected an integer in 0..65535",
  );
  assert.equal(
    errorOf(["--port", "eighty"]),
    "Invalid --port eighty: expected an integer in 0..65535",
  );
  assert.equal(
    errorOf([], (name) => (name === "PORT" ? "x" : undefined)),
    "Invalid PORT=x: expected an integer in 0..65535",
  );
  assert.equal(
    errorOf(["--tick-rate", "0"]),
    "Invalid --tick-rate 0: expected an integer in 1..240",
  );
  assert.equal(errorOf(["--interest", "maybe"]), "Invalid --interest maybe: expected on or off");
  assert.equal(errorOf(["--port"]), "Missing value for --port: e.g. --port 8000");
  assert.equal(
    errorOf(["--trusted-proxy", "10.0.0.0/33"]),
    "Invalid --trusted-proxy 10.0.0.0/33: expected addresses or CIDR ranges like 10.0.0.0/8, " +
      "got 10.0.0.0/33",
  );
  assert.equal(settingsOf(["--trusted-proxy", "10.0.0.0/8,::1"]).trustedProxies.size, 2);
  assert.equal(errorOf(["--port", "--npcs", "3"]), "Missing value for --port: e.g. --port 8000");
});

Deno.test("helpText() lists every flag with its environment variable and default", () => {
  const help = helpText();
  for (const spec of SERVER_SETTINGS) {
    assert.match(
      help,
      new RegExp(
        `--${spec.flag} \\S+ +${spec.env} +${spec.defaultValue.replaceAll(".", "\\.")} +\\S`,
      ),
      `--${spec.flag}`,
    );
  }
});

Deno.test("the README's settings table is the settings table", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const rows = [
    ...readme.matchAll(
      /^\| `--([a-z-]+)(?: [^`]*)?` +\| `([A-Z_]+)` +\| `([^`]*)` +\| (.*?) +\|$/gm,
    ),
  ].map(([, flag, env, defaultValue, help]) => ({ flag, env, defaultValue, help }));
  assert.deepEqual(
    rows,
    SERVER_SETTINGS.map(({ flag, env, defaultValue, help }) => ({ flag, env, defaultValue, help })),
  );
});

Deno.test("deno task build:client runs the same bundle command as the start-up build", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  assert.equal(
    config.tasks["build:client"],
    BUNDLES.map((args) => `deno ${args.join(" ")}`).join(" && "),
  );
});
