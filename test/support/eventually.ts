/**
 * Retries an assertion until it passes or the time is up (then its last error is thrown), for
 * what is eventually consistent by design, such as read models a projector builds.
 */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 10_000, pauseMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}
