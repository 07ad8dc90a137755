/**
 * Pub/Sub replay ids are opaque bytes; the emulator's are the CometD
 * replayId as an 8-byte big-endian unsigned integer, so both transports
 * name the same event with the same number.
 */

/** A replayId → its 8 bytes. */
export function encodeReplayId(replayId: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(replayId));
  return bytes;
}

/** 8 bytes → a replayId; undefined for anything else (a corrupted replay id). */
export function decodeReplayId(bytes: Uint8Array | undefined): number | undefined {
  if (bytes === undefined || bytes.length !== 8) return undefined;
  const value = Buffer.from(bytes).readBigUInt64BE();
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined;
}
