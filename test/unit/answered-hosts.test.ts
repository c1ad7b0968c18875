/**
 * The recorder's answered set: it knows a campaign only from a stored count of 0, follows what the
 * recorder decides, and forgets the campaign as soon as the store holds a count it did not bring.
 */
import assert from 'node:assert/strict';
import { AnsweredHosts } from '../../services/results-gateway/answered-hosts';

describe('answered hosts (the recorder\'s in-memory duplicate check)', () => {
  it('a campaign first seen with a count of 0 is known: new hosts are unanswered, decided ones answered', () => {
    const answered = new AnsweredHosts();
    answered.storedCount(7, 0);
    assert.equal(answered.isAnswered(7, 1), false);
    answered.decided(7, 1, 1);
    assert.equal(answered.isAnswered(7, 1), true);
    assert.equal(answered.isAnswered(7, 2), false);
  });

  it('a campaign first seen with results stored is unknown (the store decides)', () => {
    const answered = new AnsweredHosts();
    answered.storedCount(7, 3);
    assert.equal(answered.isAnswered(7, 1), undefined);
    answered.decided(7, 1, 4);
    assert.equal(answered.isAnswered(7, 1), undefined);
  });

  it('the count it brought, read back from the store, keeps it; any other count forgets it for good', () => {
    const answered = new AnsweredHosts();
    answered.storedCount(7, 0);
    answered.decided(7, 1, 1);
    answered.decided(7, 2, 2);
    answered.storedCount(7, 2);
    assert.equal(answered.isAnswered(7, 2), true);
    answered.storedCount(7, 5); // another instance recorded meanwhile
    assert.equal(answered.isAnswered(7, 2), undefined);
    answered.storedCount(7, 5);
    assert.equal(answered.isAnswered(7, 3), undefined, 'not known again: the count is not 0');
  });

  it('a failed write forgets every campaign', () => {
    const answered = new AnsweredHosts();
    answered.storedCount(7, 0);
    answered.storedCount(8, 0);
    answered.forgetAll();
    assert.equal(answered.isAnswered(7, 1), undefined);
    assert.equal(answered.isAnswered(8, 1), undefined);
  });
});
