/**
 * Answers the osquery API sends unchanged at most requests (nothing to run, an empty `{}`),
 * serialized once: the handler (agent-http.ts) sends their kept JSON instead of stringifying.
 * They are frozen, so no caller can change one after its JSON was taken.
 */
const serialized = new WeakMap<object, string>();

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const inner of Object.values(value)) if (inner !== null && typeof inner === 'object') deepFreeze(inner as object);
  return Object.freeze(value);
}

/** `answer`, frozen (nested objects too), with its JSON kept. */
export function constantAnswer<T extends object>(answer: T): Readonly<T> {
  serialized.set(answer, JSON.stringify(answer));
  return deepFreeze(answer);
}

/** The kept JSON of a constant answer; undefined for any other object. */
export function serializedAnswer(answer: object): string | undefined {
  return serialized.get(answer);
}

/** `{}`: what distributed/write and log answer. */
export const EMPTY_ANSWER = constantAnswer({});
