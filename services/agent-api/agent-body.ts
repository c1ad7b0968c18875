/**
 * Reading an agent request body: the edge where hostile host input stops.
 *
 * Before JSON.parse, one linear, non-recursive pass over the UTF-8 text refuses (400):
 * - nesting deeper than MAX_JSON_DEPTH arrays/objects, so nothing downstream that walks a value
 *   recursively (JSON.stringify when a log line is produced, row checks) can overflow the stack;
 * - `\u0000` and lone UTF-16 surrogates (`\uD800`..`\uDFFF` not in a high-low pair), in any
 *   string, keys included: they are not text any store or host name can keep.
 * Raw control characters and raw NULs are invalid JSON anyway (JSON.parse refuses them), and
 * UTF-8 cannot encode a surrogate, so escapes are the only way either can arrive.
 * Brackets inside strings are text and do not count. The pass does not validate the syntax:
 * JSON.parse does that right after.
 */
import { badRequest } from './agent-errors';
import type { Body } from './agent-service';

/** Deeper than any request osquery sends (its results are rows of strings: depth 4 or so). */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const LETTER_U = 0x75;

/** The code unit of the `\uXXXX` escape at `at` (pointing at the backslash), or -1. */
function escapedUnit(text: Buffer, at: number): number {
  if (text[at] !== BACKSLASH || text[at + 1] !== LETTER_U || at + 6 > text.length) return -1;
  const hex = text.toString('latin1', at + 2, at + 6);
  return /^[0-9a-fA-F]{4}$/.test(hex) ? parseInt(hex, 16) : -1;
}

const isHigh = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/** Throws a 400 for a body too deep or with a NUL or lone surrogate; see the module comment. */
export function checkJsonText(text: Buffer): void {
  // A check-in's `{"node_key": ...}`: too short to nest deeper than the limit (that takes more
  // opening brackets than it has bytes) and with no escape to check.
  if (text.length <= MAX_JSON_DEPTH && text.indexOf(BACKSLASH) === -1) return;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const byte = text[i];
    if (inString) {
      if (byte === QUOTE) inString = false;
      else if (byte === BACKSLASH) {
        const unit = escapedUnit(text, i);
        if (unit === -1) {
          i++; // \" \\ \n ...: skip the escaped character
          continue;
        }
        if (unit === 0) throw badRequest('request body has a NUL character (\\u0000) in a string');
        if (isLow(unit)) throw badRequest('request body has a lone UTF-16 surrogate in a string');
        if (isHigh(unit)) {
          if (!isLow(escapedUnit(text, i + 6))) throw badRequest('request body has a lone UTF-16 surrogate in a string');
          i += 6; // the low half, checked here
        }
        i += 5;
      }
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > MAX_JSON_DEPTH) throw badRequest(`request body is nested deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) depth--;
  }
}

/** The body as a JSON object; 400 for anything else (see checkJsonText). */
export function parseAgentBody(raw: Buffer): Body {
  checkJsonText(raw);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest('request body is not valid JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('request body must be a JSON object');
  return body as Body;
}
