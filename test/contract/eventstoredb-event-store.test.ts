import { connectEventStoreDb } from '../../shared/adapters/event-store/eventstoredb-event-store';
import { describeEventStoreContract } from './event-store.contract';

const eventStoreUrl = process.env.EVENTSTORE_URL;

if (eventStoreUrl) {
  describeEventStoreContract('eventstoredb', async () => {
    const store = await connectEventStoreDb(eventStoreUrl);
    return { store, cleanup: () => store.close() };
  });
} else {
  describe('event store contract: eventstoredb', function () {
    it('runs only against a real server: set EVENTSTORE_URL (e.g. esdb://localhost:2113?tls=false)', function () {
      this.skip();
    });
  });
}
