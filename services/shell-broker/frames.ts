/**
 * The launcher's frame protocol: text frames whose first character is the type.
 * To the launcher: '1' input, '2' ping, '3' resize {"columns","rows"}.
 * From the launcher: '0' auth (secret, first frame only), '1' output (base64), '2' pong, '3' window title.
 * The broker relays frames as they are; it only checks that each is one the other side expects.
 * An auth frame is never relayed: it is read at the join, or, from a launcher that authenticated
 * with its Bearer header and sends one anyway, dropped (see LiveSession).
 */
import type { RawData } from 'ws';

export const OPERATOR_MAX_FRAME_BYTES = 64 * 1024;
export const LAUNCHER_MAX_FRAME_BYTES = 1024 * 1024;
const MAX_TERMINAL_SIZE = 1000;

export type FrameCheck = { ok: true; text: string } | { ok: false; problem: string };

function asText(data: RawData, isBinary: boolean): string | null {
  if (isBinary) return null;
  const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
  return buffer.toString('utf8');
}

export function isResize(payload: string): boolean {
  let size: unknown;
  try {
    size = JSON.parse(payload);
  } catch {
    return false;
  }
  const { columns, rows } = (size ?? {}) as { columns?: unknown; rows?: unknown };
  const valid = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= MAX_TERMINAL_SIZE;
  return typeof size === 'object' && valid(columns) && valid(rows);
}

/** A frame an operator may send on to the launcher. */
export function checkOperatorFrame(data: RawData, isBinary: boolean): FrameCheck {
  const text = asText(data, isBinary);
  if (text === null) return { ok: false, problem: 'binary frame' };
  switch (text[0]) {
    case '1':
    case '2':
      return { ok: true, text };
    case '3':
      return isResize(text.slice(1)) ? { ok: true, text } : { ok: false, problem: 'resize is not {"columns","rows"} of integers 1 to 1000' };
    default:
      return { ok: false, problem: `unknown frame type ${JSON.stringify(text.slice(0, 1))}` };
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A frame a launcher may send on to the operator. */
export function checkLauncherFrame(data: RawData, isBinary: boolean): FrameCheck {
  const text = asText(data, isBinary);
  if (text === null) return { ok: false, problem: 'binary frame' };
  switch (text[0]) {
    case '1':
      return BASE64.test(text.slice(1)) ? { ok: true, text } : { ok: false, problem: 'output is not base64' };
    case '2':
    case '3':
      return { ok: true, text };
    default:
      return { ok: false, problem: `unknown frame type ${JSON.stringify(text.slice(0, 1))}` };
  }
}

export function frameText(data: RawData, isBinary: boolean): string | null {
  return asText(data, isBinary);
}

/** A launcher's `"0"+secret` auth frame (redundant once the launcher is authenticated). */
export function isLauncherAuthFrame(data: RawData, isBinary: boolean): boolean {
  return asText(data, isBinary)?.[0] === '0';
}
