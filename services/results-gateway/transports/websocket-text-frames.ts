/**
 * Server-to-client WebSocket text frames, framed by `ws`'s own `Sender.frame` and put in one
 * buffer, so that the frames of one event-loop turn leave in one socket write (where `ws.send`
 * makes two writes a frame). Only for a connection without extensions (no permessage-deflate,
 * which the gateway never offers): a frame is then exactly what `ws.send(text)` writes, FIN,
 * opcode 1, unmasked. The payloads must be valid UTF-8 (every frame the gateway sends is JSON text).
 */
/** ws's framer (exported by ws as `WebSocket.Sender`, not in its type definitions). */
interface FrameOptions {
  fin: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
  rsv1: boolean;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Sender } = require('ws') as { Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] } };

const TEXT_FRAME = { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false } as const;

/** The payloads as consecutive text frames in one buffer. */
export function textFrames(payloads: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const payload of payloads) parts.push(...Sender.frame(payload, TEXT_FRAME));
  return Buffer.concat(parts);
}
