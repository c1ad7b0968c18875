/**
 * Server-to-client WebSocket text frames (RFC 6455 §5.2), written by the gateway itself so that
 * the frames of one event-loop turn leave in one buffer and one socket write. Only frames of a
 * connection without extensions (no permessage-deflate, which the gateway never offers): a frame
 * is then exactly its header (FIN, opcode 1, unmasked length) and its payload, as `ws` writes it.
 * The payload must be valid UTF-8 (every frame the gateway sends is JSON text).
 */
const FIN_TEXT = 0x81;

function headerLength(payloadLength: number): number {
  return payloadLength < 126 ? 2 : payloadLength < 65_536 ? 4 : 10;
}

/** The payloads as consecutive text frames in one buffer. */
export function textFrames(payloads: readonly Buffer[]): Buffer {
  let total = 0;
  for (const payload of payloads) total += headerLength(payload.length) + payload.length;
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const payload of payloads) {
    const length = payload.length;
    out[at++] = FIN_TEXT;
    if (length < 126) {
      out[at++] = length;
    } else if (length < 65_536) {
      out[at++] = 126;
      out.writeUInt16BE(length, at);
      at += 2;
    } else {
      out[at++] = 127;
      out.writeUInt32BE(Math.floor(length / 2 ** 32), at);
      out.writeUInt32BE(length >>> 0, at + 4);
      at += 8;
    }
    at += payload.copy(out, at);
  }
  return out;
}
