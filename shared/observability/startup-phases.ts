/**
 * Where a start spends its time: named marks, each with the wall time since the process started
 * (performance.now() counts from node's time origin, the process start) and the CPU time the
 * process had used by then (user + system). The CPU figure does not grow with the machine's load,
 * so it compares starts on a shared machine where the wall figure does not.
 *
 * The marks are logged once, as one line ("start-up phases"), when /healthz first answers 200
 * (shared/http/health.ts calls `startupHealthy`): from kill -9 to ready, phase by phase.
 * One process-wide record (a process starts once); marking costs a clock read.
 */
import type { Logger } from './logger';

export interface StartupMark {
  phase: string;
  /** Wall time since the process started (ms). */
  atMs: number;
  /** CPU time (user + system) the process had used by then (ms). */
  cpuMs: number;
}

const marks: StartupMark[] = [];
let logger: Pick<Logger, 'info'> | null = null;
let done = false;
let healthy!: () => void;
const firstHealthy = new Promise<void>((resolve) => (healthy = resolve));

const round = (ms: number) => Math.round(ms * 10) / 10;

/** Records that the start reached `phase` (a no-op once the process was healthy). */
export function startupPhase(phase: string): void {
  if (done) return;
  const cpu = process.cpuUsage();
  marks.push({ phase, atMs: round(performance.now()), cpuMs: round((cpu.user + cpu.system) / 1000) });
}

/** Where the phases are logged (the service's logger, once it has one). */
export function logStartupPhasesTo(target: Pick<Logger, 'info'>): void {
  logger = target;
}

/** The first healthy answer: marks it and logs every mark, once. */
export function startupHealthy(): void {
  if (done) return;
  startupPhase('first healthy');
  done = true;
  logger?.info({ phases: marks, nodeBootstrapMs: round(performance.nodeTiming.bootstrapComplete) }, 'start-up phases');
  healthy();
}

/** Resolves at the first healthy answer: work a start defers until it serves (never, if it never is). */
export function whenFirstHealthy(): Promise<void> {
  return firstHealthy;
}

/** The marks so far (for tests). */
export function startupMarks(): readonly StartupMark[] {
  return marks;
}
