/**
 * Seeds the built-in labels when the API starts. On a full disk (StorageUnavailableError) the API
 * starts anyway, serving reads, and the seeding is retried every SEED_RETRY_MS until it is stored
 * or stop() is called. Seeding twice is harmless (an unchanged built-in label is not applied again).
 */
import { isStorageUnavailable } from '../../shared/ports/storage-unavailable';
import type { ApiDeps } from './api-deps';
import { seedBuiltinLabels } from './commands/seed-builtin-labels';

const SEED_RETRY_MS = 2_000;

export async function seedWhenWritable(deps: ApiDeps): Promise<{ stop(): Promise<void> }> {
  try {
    await seedBuiltinLabels(deps);
    return { stop: async () => undefined };
  } catch (error) {
    if (!isStorageUnavailable(error)) throw error;
    deps.logger.warn({ err: error }, 'could not seed the built-in labels; will retry');
  }
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let attempt: Promise<void> = Promise.resolve();
  const retryLater = () => {
    timer = setTimeout(() => {
      attempt = seedBuiltinLabels(deps).then(
        () => deps.logger.info({}, 'built-in labels seeded'),
        (error: unknown) => {
          if (stopped) return;
          if (!isStorageUnavailable(error)) deps.logger.error({ err: error }, 'seeding the built-in labels failed; will retry');
          retryLater();
        },
      );
    }, SEED_RETRY_MS);
    timer.unref();
  };
  retryLater();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await attempt;
    },
  };
}
