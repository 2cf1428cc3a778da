/**
 * Which transport the client uses: WebTransport (snapshots as datagrams, no head-of-line
 * blocking) when the browser has it and the server offers it, else WebSocket; a WebTransport
 * attempt that is refused, blocked (UDP filtered) or slow gives way to WebSocket within
 * {@linkcode FALLBACK_AFTER_MS}.
 * @module
 */
import { GameConnection, type GameConnectionOptions, JoinRefusedError } from "./game_connection.ts";
import type { WebTransportTarget } from "./webtransport_wire.ts";

/** What `?transport=` asks for: `ws`, `wt`, or (missing) whichever works. */
export type TransportPreference = "auto" | "ws" | "wt";

/** What the server's `GET /transport` answers (see `server/server.ts`). */
export interface TransportDocument {
  /** Path of the WebSocket endpoint. */
  webSocketPath: string;
  /** The WebTransport listener, `null` when the server has none. */
  webTransport: { port: number; certificateHashes: string[] } | null;
}

/** The longest a WebTransport attempt may take before the client falls back to WebSocket. */
export const FALLBACK_AFTER_MS = 1500;

/**
 * Read `?transport=ws|wt` from a query string; anything else is `auto`.
 *
 * @example Usage
 * ```ts
 * import { transportPreference } from "./transport_choice.ts";
 * import assert from "node:assert/strict";
 *
 * assert.equal(transportPreference("?room=a&transport=ws"), "ws");
 * assert.equal(transportPreference("?transport=carrier-pigeon"), "auto");
 * ```
 */
export function transportPreference(search: string): TransportPreference {
  const value = new URLSearchParams(search).get("transport");
  return value === "ws" || value === "wt" ? value : "auto";
}

/** What {@linkcode webTransportTarget} decides by besides the server's document. */
export interface TargetOptions {
  /** What the player asked for. */
  preference: TransportPreference;
  /** Whether the page has a `WebTransport` constructor. */
  browserHasWebTransport: boolean;
  /** The page's host name, where the WebTransport listener is. */
  hostname: string;
}

/**
 * Where to try WebTransport, or `null` to go straight to WebSocket: when WebSocket is asked for,
 * the browser lacks `WebTransport`, or the server offers none (or its document is missing).
 */
export function webTransportTarget(
  document: TransportDocument | null,
  options: TargetOptions,
): WebTransportTarget | null {
  const { preference, browserHasWebTransport, hostname } = options;
  if (preference === "ws" || !browserHasWebTransport || document?.webTransport == null) {
    return null;
  }
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    url: `https://${host}:${document.webTransport.port}/`,
    certificateHashes: document.webTransport.certificateHashes,
  };
}

/**
 * Whether a failed WebTransport attempt should give way to WebSocket: yes unless the server
 * itself answered the join (a code from 4000 up: full room, bad token…), which WebSocket would
 * only hear again.
 */
export function shouldFallBack(error: unknown): boolean {
  return !(error instanceof JoinRefusedError && error.code >= 4000);
}

/** Settings of {@linkcode openGameConnection}. */
export interface OpenOptions {
  /** What the player asked for. */
  preference: TransportPreference;
  /** The page's host name, where the WebTransport listener is. */
  hostname: string;
  /** The server's transport document; `null` when it could not be had. */
  document: () => Promise<TransportDocument | null>;
  /** @default `typeof WebTransport === "function"` */
  browserHasWebTransport?: boolean;
}

/**
 * Open a connection over the best transport: WebTransport first when it can work (given at most
 * {@linkcode FALLBACK_AFTER_MS} from the start, document fetch included), then WebSocket; with
 * `?transport=wt` a failure is final.
 */
export async function openGameConnection(
  options: GameConnectionOptions,
  open: OpenOptions,
): Promise<GameConnection> {
  const startedMs = performance.now();
  const hasWebTransport = open.browserHasWebTransport ??
    typeof (globalThis as { WebTransport?: unknown }).WebTransport === "function";
  if (open.preference === "ws" || !hasWebTransport) {
    return await GameConnection.open({ ...options, webTransport: undefined });
  }
  const document = await withDeadline(open.document(), FALLBACK_AFTER_MS).catch(() => null);
  const target = webTransportTarget(document, {
    preference: open.preference,
    browserHasWebTransport: hasWebTransport,
    hostname: open.hostname,
  });
  if (target !== null) {
    const remainingMs = Math.max(1, FALLBACK_AFTER_MS - (performance.now() - startedMs));
    try {
      return await GameConnection.open({
        ...options,
        webTransport: target,
        timeoutMs: open.preference === "wt" ? options.timeoutMs ?? 5000 : remainingMs,
      });
    } catch (error) {
      if (open.preference === "wt" || !shouldFallBack(error)) throw error;
    }
  } else if (open.preference === "wt") {
    throw new JoinRefusedError(0, "WebTransport is not available here");
  }
  return await GameConnection.open({ ...options, webTransport: undefined });
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`No answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
