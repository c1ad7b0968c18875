/**
 * Imported first by a service's main, for its side effect: marks the moment node has started
 * and begins loading the service's modules (startup-phases.ts); the next mark, at runMain, ends
 * the module loading.
 */
import { startupPhase } from './startup-phases';

startupPhase('main module entered');
