/**
 * Infrastructure that tests start lazily (the MongoDB stand-in, a Kafka broker) registers how
 * to stop it here; the root hook runs every registered stop once the whole suite has finished.
 */
const stops: Array<() => Promise<void>> = [];

export function onSuiteEnd(stop: () => Promise<void>): void {
  stops.push(stop);
}

export async function runSuiteEnd(): Promise<void> {
  while (stops.length > 0) {
    const stop = stops.pop()!;
    try {
      await stop();
    } catch (error) {
      console.error('teardown failed:', error);
    }
  }
}
