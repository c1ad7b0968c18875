import assert from 'node:assert/strict';
import { idSequenceDecider, idSequenceStreamId } from '../../shared/domain/sequences/id-sequence';
import { ID_RESERVED, type IdReserved } from '../../shared/domain/sequences/id-sequence-events';
import { givenWhenThenOfData } from '../support/given-when-then';

const { given } = givenWhenThenOfData(idSequenceDecider, (data: IdReserved) => ({ type: ID_RESERVED, data }));

describe('decideReserveIds', () => {
  it('starts at 1 and gives one id per name, in order', () => {
    given([])
      .when({ names: ['uptime', 'processes'] })
      .then([
        { id: 1, name: 'uptime' },
        { id: 2, name: 'processes' },
      ]);
  });

  it('continues right after the ids reserved before', () => {
    given([
      { id: 1, name: 'uptime' },
      { id: 2, name: 'processes' },
      { id: 3, name: 'users' },
    ])
      .when({ names: ['listening ports', 'crontab'] })
      .then([
        { id: 4, name: 'listening ports' },
        { id: 5, name: 'crontab' },
      ]);
  });

  it('reserves nothing for no names', () => {
    given([{ id: 1, name: 'uptime' }]).when({ names: [] }).then([]);
  });

  it('keeps one sequence stream per kind of entity', () => {
    assert.notEqual(idSequenceStreamId('query'), idSequenceStreamId('label'));
    assert.equal(idSequenceStreamId('query'), idSequenceStreamId('query'));
  });
});
