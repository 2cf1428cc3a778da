/**
 * The WebTransport listener: a QUIC endpoint (Deno's unstable `Deno.QuicEndpoint`, run with
 * `--unstable-net`) that turns each session into a {@linkcode Connection} over a
 * {@linkcode WebTransportSocket}. Without the API the server logs one line and serves WebSocket
 * only.
 * @module
 */
import { CloseCode, LIMITS } from "../../shared/protocol/mod.ts";
import {
  certificateHash,
  type CertificatePair,
  createSelfSignedCertificate,
} from "./certificate.ts";
import { Connection, type ConnectionOptions } from "./connection.ts";
import { addressKey, AddressSlots } from "./connection_limits.ts";
import type { ServerCounters } from "./server_counters.ts";
import { WebTransportSocket } from "./webtransport_socket.ts";

/** The parts of Deno's unstable QUIC API this module uses, looked up at run time. */
interface QuicApi {
  QuicEndpoint: new (options: { hostname: string; port: number }) => QuicEndpoint;
  upgradeWebTransport: (connection: unknown) => Promise<WebTransport & { url: string }>;
}
interface QuicEndpoint {
  readonly addr: { hostname: string; port: number };
  listen(options: { cert: string; key: string; alpnProtocols: string[] }): QuicListener;
  close(): void;
}
interface QuicListener {
  accept(): Promise<QuicConnection>;
  stop(): void;
}
interface QuicConnection {
  readonly remoteAddr: { hostname: string; port: number };
  close(info?: { closeCode?: number; reason?: string }): void;
}

/** Deno's QUIC API when this process has it (`--unstable-net`), else `null`. */
export function quicApi(): QuicApi | null {
  const deno = Deno as unknown as Partial<QuicApi>;
  if (typeof deno.QuicEndpoint !== "function" || typeof deno.upgradeWebTransport !== "function") {
    return null;
  }
  return deno as QuicApi;
}

/** Settings of {@linkcode startWebTransport}. */
export interface WebTransportServerOptions {
  /** Interface to bind. */
  hostname: string;
  /** UDP port; 0 picks a free one. */
  port: number;
  /** A real certificate and key (PEM); without them an ephemeral one is made and rotated. */
  certificate?: { certPem: string; keyPem: string };
  /**
   * Make a new ephemeral certificate this often (it is valid for 10 days).
   * @default 432000000 (5 days)
   */
  rotateEveryMs?: number;
  /** Process-wide counters. */
  counters: ServerCounters;
  /** Most sessions from one address at once. */
  maxConnectionsPerAddress: number;
  /** A session that opens no stream this long after its handshake is closed with 1008. */
  streamTimeoutMs: number;
  /** What each session's connection gets; `onEnded` is added per session. */
  connectionOptions: Omit<ConnectionOptions, "onEnded">;
  /** Every open connection is kept here until it ends, so shutdown can reach them all. */
  connections: Set<Connection>;
}

/** A running WebTransport listener. */
export interface WebTransportServer {
  /** The UDP port it listens on. */
  readonly port: number;
  /**
   * SHA-256 hashes (base64) of the certificate a browser must be told to trust; empty for a real
   * certificate, which a browser checks against its CAs.
   */
  certificateHashes(): string[];
  /** Make and switch to a new ephemeral certificate now (the timer does it every few days). */
  rotateCertificate(): Promise<void>;
  /** Stop listening and close the endpoint (sessions are closed by their connections). */
  close(): void;
}

const DAY_MS = 86_400_000;

/**
 * Listen for WebTransport sessions; `null` (after one log line) when this Deno lacks the API.
 * Each session's first bidirectional stream carries its reliable batches.
 */
export async function startWebTransport(
  options: WebTransportServerOptions,
): Promise<WebTransportServer | null> {
  const api = quicApi();
  if (api === null) {
    console.warn(
      "WebTransport is off: this Deno has no Deno.QuicEndpoint (run with --unstable-net); serving WebSocket only",
    );
    return null;
  }
  const ephemeral = options.certificate === undefined;
  let certificate: Pick<CertificatePair, "certPem" | "keyPem"> & { sha256: Uint8Array } =
    options.certificate === undefined
      ? await createSelfSignedCertificate({ hostname: options.hostname })
      : { ...options.certificate, sha256: await certificateHash(options.certificate.certPem) };
  const endpoint = new api.QuicEndpoint({ hostname: options.hostname, port: options.port });
  const listen = () =>
    endpoint.listen({ cert: certificate.certPem, key: certificate.keyPem, alpnProtocols: ["h3"] });
  // A new listen() on the endpoint replaces its certificate for new connections; stopping an
  // earlier listener would stop the endpoint's accepting altogether (measured on Deno 2.9.6), so
  // every listener lives until close() and each has its own accept loop.
  const listeners: QuicListener[] = [];
  let stopped = false;
  const slots = new AddressSlots(options.maxConnectionsPerAddress);
  const acceptLoop = async (listener: QuicListener) => {
    let failuresInARow = 0;
    while (!stopped) {
      let connection: QuicConnection;
      try {
        connection = await listener.accept();
        failuresInARow = 0;
      } catch {
        // A handshake that failed (e.g. a client trusting another certificate), or the end.
        if (stopped) return;
        options.counters.webTransport.sessionsRefused++;
        if (++failuresInARow >= 100) await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      openSession(api, connection, options, slots).catch((error) => {
        options.counters.webTransport.sessionsRefused++;
        console.error("WebTransport session failed", error);
      });
    }
  };
  const listenWithCurrentCertificate = () => {
    const listener = listen();
    listeners.push(listener);
    void acceptLoop(listener);
  };
  listenWithCurrentCertificate();
  const rotateEveryMs = options.rotateEveryMs ?? 5 * DAY_MS;
  let rotateTimer: ReturnType<typeof setTimeout> | undefined;
  const server: WebTransportServer = {
    port: endpoint.addr.port,
    certificateHashes: () => ephemeral ? [toBase64(certificate.sha256)] : [],
    async rotateCertificate() {
      if (!ephemeral || stopped) return;
      certificate = await createSelfSignedCertificate({ hostname: options.hostname });
      if (!stopped) listenWithCurrentCertificate();
    },
    close() {
      stopped = true;
      clearTimeout(rotateTimer);
      for (const listener of listeners) listener.stop();
      endpoint.close();
    },
  };
  if (ephemeral) {
    const schedule = () => {
      const timer = setTimeout(() => {
        server.rotateCertificate().catch((error) =>
          console.error("Cannot rotate certificate", error)
        )
          .finally(schedule);
      }, rotateEveryMs);
      Deno.unrefTimer(timer);
      rotateTimer = timer;
    };
    schedule();
  }
  return server;
}

async function openSession(
  api: QuicApi,
  quic: QuicConnection,
  options: WebTransportServerOptions,
  slots: AddressSlots,
): Promise<void> {
  const counters = options.counters;
  const address = addressKey(quic.remoteAddr.hostname);
  if (!slots.acquire(address)) {
    counters.webTransport.sessionsRefused++;
    quic.close({
      closeCode: CloseCode.POLICY_VIOLATION,
      reason: `Too many connections from ${address}`,
    });
    return;
  }
  let session: WebTransport;
  try {
    session = await api.upgradeWebTransport(quic);
    await session.ready;
  } catch {
    slots.release(address);
    counters.webTransport.sessionsRefused++;
    return;
  }
  const streams = session.incomingBidirectionalStreams.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), options.streamTimeoutMs);
  });
  const first = await Promise.race([
    streams.read().then((read) => read.value, () => undefined),
    timeout,
  ]);
  clearTimeout(timer);
  streams.releaseLock();
  if (first === undefined) {
    slots.release(address);
    counters.webTransport.sessionsRefused++;
    try {
      session.close({
        closeCode: CloseCode.POLICY_VIOLATION,
        reason: `No stream within ${options.streamTimeoutMs} ms of connecting`,
      });
    } catch {
      // The peer went first.
    }
    return;
  }
  const socket = new WebTransportSocket(
    session,
    first,
    counters.webTransport,
    LIMITS.maxClientMessageBytes,
  );
  const connection = new Connection(socket, {
    ...options.connectionOptions,
    onEnded: () => {
      slots.release(address);
      options.connections.delete(connection);
    },
  });
  options.connections.add(connection);
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}
