import { WrongExpectedRevisionError } from '../ports/event-store';

/**
 * Runs a load-decide-append attempt again when another writer appended first. Each attempt
 * re-reads state, so no update is lost; a short random pause spreads out contending writers.
 */
export async function retryOnConflict<T>(attempt: () => Promise<T>, maxAttempts = 100): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || tries >= maxAttempts) throw error;
      const pauseMs = Math.random() * Math.min(50, tries * 2);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}
