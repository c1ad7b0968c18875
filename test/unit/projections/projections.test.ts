/** The router: which events are projected at all. The families' own tests cover what they write. */
import { ID_RESERVED } from '../../../shared/domain/sequences/id-sequence-events';
import { USERS } from '../../../shared/read-models/read-model-types';
import { atPosition, givenEvents } from '../../support/given-events';

describe('projections router', () => {
  it('does not project id reservations', async () => {
    await givenEvents([{ type: ID_RESERVED, data: { id: 1, name: 'user' }, streamId: 'sequence-user' }]).thenNothingProjected();
  });

  it('ignores an event type it does not know (a newer version may have written it)', async () => {
    await givenEvents([{ type: 'SomethingFromTheFuture', data: { id: 1, email: 'x@example.com' }, streamId: 'future-1' }]).thenNothingProjected();
  });

  it('carries on with the next event after one it does not know', async () => {
    await givenEvents([
      { type: 'SomethingFromTheFuture', data: {}, streamId: 'future-1' },
      { type: 'UserCreated', data: { id: 2, email: 'a@example.com', name: 'A', global_role: 'admin', password_hash: 'x' }, streamId: 'user-a@example.com' },
    ]).thenDocuments(USERS, {
      '2': { id: 2, name: 'A', email: 'a@example.com', global_role: 'admin', created_at: atPosition(1), updated_at: atPosition(1) },
    });
  });
});
