/**
 * Equality of two values as JSON text would see them (`JSON.stringify(a) === JSON.stringify(b)`),
 * without building the text and without recursion, so a value nested 100,000 deep compares in
 * constant stack. Follows JSON.stringify's rules for plain data: key order matters; a key whose
 * value is undefined, a function or a symbol is left out; such a value in an array counts as
 * null; NaN and ±Infinity count as null; -0 equals 0; `toJSON()` is called where present.
 * Values are JSON data (a parsed body, an event read from the log): no cycles.
 */

const OMITTED = Symbol('omitted');

/** What JSON.stringify writes for a value, containers aside; OMITTED where it writes nothing. */
function jsonView(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(): unknown }).toJSON();
  }
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return OMITTED;
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/** The keys JSON.stringify writes for an object, in its order. */
function writtenKeys(object: Record<string, unknown>): string[] {
  return Object.keys(object).filter((key) => jsonView(object[key]) !== OMITTED);
}

export function sameJson(a: unknown, b: unknown): boolean {
  // Invariant: every pair on the stack still has to be compared; the answer is true once it empties.
  const pending: Array<[unknown, unknown]> = [[jsonView(a), jsonView(b)]];
  while (pending.length > 0) {
    const [x, y] = pending.pop()!;
    if (!isContainer(x) || !isContainer(y)) {
      if (x !== y) return false;
      continue;
    }
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) return false;
      const inArray = (item: unknown) => {
        const view = jsonView(item);
        return view === OMITTED ? null : view;
      };
      for (let i = x.length - 1; i >= 0; i -= 1) pending.push([inArray(x[i]), inArray(y[i])]);
      continue;
    }
    const objectX = x as Record<string, unknown>;
    const objectY = y as Record<string, unknown>;
    const keysX = writtenKeys(objectX);
    const keysY = writtenKeys(objectY);
    if (keysX.length !== keysY.length) return false;
    for (let i = keysX.length - 1; i >= 0; i -= 1) {
      if (keysX[i] !== keysY[i]) return false;
      pending.push([jsonView(objectX[keysX[i]]), jsonView(objectY[keysY[i]])]);
    }
  }
  return true;
}
