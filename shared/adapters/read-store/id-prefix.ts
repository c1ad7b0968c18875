/**
 * The smallest string greater than every string that starts with `prefix`: the prefix with its
 * last code point raised by one. Both stores order string ids by UTF-8 bytes, which is code point
 * order, so [prefix, idPrefixEnd(prefix)) holds exactly the ids that start with prefix.
 */
export function idPrefixEnd(prefix: string): string {
  const codePoints = [...prefix];
  const last = codePoints.pop()!.codePointAt(0)!;
  // U+D7FF is followed by the surrogates, which are not characters: the next one is U+E000.
  const next = last === 0xd7ff ? 0xe000 : last + 1;
  if (next > 0x10ffff) throw new RangeError('an id prefix cannot end with U+10FFFF');
  return codePoints.join('') + String.fromCodePoint(next);
}
