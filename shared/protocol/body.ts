import { Packr, Unpackr } from "msgpackr";

/**
 * Record structures agreed at both ends for server → client bodies, so a record costs one byte
 * of header on the wire and decodes through msgpackr's fast record path. Append only: changing
 * or reordering an entry changes the wire format and needs a new PROTOCOL_VERSION.
 */
export const SERVER_BODY_STRUCTURES: readonly (readonly string[])[] = [
  [
    "playerId",
    "roomId",
    "game",
    "tickRateHz",
    "snapshotEveryTicks",
    "tick",
    "reconnectToken",
    "entityFields",
    "entityScales",
    "entityWraps",
    "entityHotMask",
    "entityVelocities",
  ],
  ["entities", "global"],
  ["type", "actor", "target", "value", "text"],
  ["clientTimeMs", "serverTimeMs"],
  ["code", "reason"],
];

/**
 * A msgpackr encoder for bodies. Shared structures are copied per instance and capped at the
 * agreed list, so an unexpected shape is written as an inline record the other end can still
 * read, and never grows a table the peer does not have.
 */
export function createBodyPackr(): Packr {
  return new Packr({
    useRecords: true,
    structures: SERVER_BODY_STRUCTURES.map((keys) => [...keys]),
    maxSharedStructures: SERVER_BODY_STRUCTURES.length,
  });
}

/** The matching decoder for {@linkcode createBodyPackr}. */
export function createBodyUnpackr(): Unpackr {
  return new Unpackr({
    useRecords: true,
    structures: SERVER_BODY_STRUCTURES.map((keys) => [...keys]),
    maxSharedStructures: SERVER_BODY_STRUCTURES.length,
  });
}
