/**
 * The gateway's own WebSocket text frames, read back by `ws`'s frame parser (what a client runs):
 * every payload length class (7-bit, 16-bit, 64-bit), back to back in one buffer, in order.
 */
import assert from 'node:assert/strict';
import { textFrames } from '../../services/results-gateway/transports/websocket-text-frames';

/** ws's frame parser (not in its type definitions). */
interface FrameReceiver {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  write(chunk: Buffer, callback: () => void): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Receiver } = require('ws') as { Receiver: new (options: { isServer: boolean; maxPayload: number }) => FrameReceiver };

function readFrames(bytes: Buffer): Promise<Array<{ text: string; isBinary: boolean }>> {
  return new Promise((resolve, reject) => {
    const messages: Array<{ text: string; isBinary: boolean }> = [];
    // A client's receiver: server frames are unmasked; maxPayload 0 means no limit.
    const receiver = new Receiver({ isServer: false, maxPayload: 0 });
    receiver.on('message', (data: Buffer, isBinary: boolean) => messages.push({ text: data.toString('utf8'), isBinary }));
    receiver.on('error', reject);
    receiver.write(bytes, () => resolve(messages));
  });
}

describe('websocket text frames', () => {
  it('frames payloads of every length class as text frames a client reads back in order', async () => {
    const texts = ['', '{}', 'x'.repeat(125), 'é'.repeat(63), 'y'.repeat(126), 'z'.repeat(65_535), '"é"'.repeat(30_000), 'w'.repeat(70_000)];
    const payloads = texts.map((text) => Buffer.from(text, 'utf8'));
    const messages = await readFrames(textFrames(payloads));
    assert.deepEqual(messages.map((message) => message.isBinary), texts.map(() => false));
    assert.deepEqual(messages.map((message) => message.text), texts);
  });
});
