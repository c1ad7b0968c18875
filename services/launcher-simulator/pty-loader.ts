/**
 * node-pty, loaded when a simulated launcher first needs it rather than when this module is
 * imported. node-pty is a development dependency (only the launcher simulator, its tests and the
 * shell benchmark use it; it is compiled at install time), so a production install
 * (`npm ci --omit=dev`, the Docker image) has none and no compiler to build one: the simulator
 * then stops with a message that says why, and nothing else in Logbook ever loads it.
 */
import type * as NodePty from 'node-pty';

export type PtyModule = typeof NodePty;

let loaded: PtyModule | null = null;

export class PtyUnavailableError extends Error {
  constructor(cause: Error) {
    super(
      'the launcher simulator needs node-pty, a development dependency that a production install ' +
        '(npm ci --omit=dev, the Docker image) leaves out: install the development dependencies ' +
        `(npm ci) where a C++ compiler and python3 are available. Loading it failed: ${cause.message.split('\n')[0]}`,
    );
    this.name = 'PtyUnavailableError';
  }
}

/** node-pty, or a PtyUnavailableError when it is not installed or not built for this Node. */
export function loadPty(): PtyModule {
  if (loaded) return loaded;
  try {
    loaded = require('node-pty') as PtyModule;
  } catch (error) {
    throw new PtyUnavailableError(error as Error);
  }
  return loaded;
}
