import { runSuiteEnd } from './teardown';

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await runSuiteEnd();
  },
};
