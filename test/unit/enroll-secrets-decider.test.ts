import { enrollSecretsDecider } from '../../shared/domain/enroll-secrets/enroll-secrets-decider';
import assert from 'node:assert/strict';
import { ENROLL_SECRETS_REPLACED, type EnrollSecretsReplaced } from '../../shared/domain/enroll-secrets/enroll-secrets-events';
import { givenWhenThenOfData } from '../support/given-when-then';

const { given } = givenWhenThenOfData(enrollSecretsDecider, (data: EnrollSecretsReplaced) => ({ type: ENROLL_SECRETS_REPLACED, data }));

const MONDAY = '2024-05-06T09:00:00.000Z';
const TUESDAY = '2024-05-07T09:00:00.000Z';

const firstSecrets: EnrollSecretsReplaced = {
  secrets: [
    { secret: 'alpha', created_at: MONDAY },
    { secret: 'bravo', created_at: MONDAY },
  ],
  added: 2,
  removed: 0,
};

describe('decideReplaceEnrollSecrets', () => {
  it('stamps every secret of a first apply with the current time', () => {
    given([])
      .when({ secrets: ['alpha', 'bravo'], now: MONDAY })
      .then([firstSecrets]);
  });

  it('keeps the creation time of kept secrets, stamps new ones and counts what was added and removed', () => {
    given([firstSecrets])
      .when({ secrets: ['bravo', 'charlie', 'delta'], now: TUESDAY })
      .then([
        {
          secrets: [
            { secret: 'bravo', created_at: MONDAY },
            { secret: 'charlie', created_at: TUESDAY },
            { secret: 'delta', created_at: TUESDAY },
          ],
          added: 2,
          removed: 1,
        },
      ]);
  });

  it('remembers creation times across several replacements', () => {
    const second: EnrollSecretsReplaced = {
      secrets: [
        { secret: 'bravo', created_at: MONDAY },
        { secret: 'charlie', created_at: TUESDAY },
      ],
      added: 1,
      removed: 1,
    };
    given([firstSecrets, second])
      .when({ secrets: ['charlie'], now: '2024-05-08T09:00:00.000Z' })
      .then([{ secrets: [{ secret: 'charlie', created_at: TUESDAY }], added: 0, removed: 1 }]);
  });

  it('records nothing when the secrets are the same', () => {
    given([firstSecrets]).when({ secrets: ['alpha', 'bravo'], now: TUESDAY }).then([]);
  });

  it('records nothing when there were none and none are given', () => {
    given([]).when({ secrets: [], now: MONDAY }).then([]);
  });

  it('removes them all when given none', () => {
    given([firstSecrets]).when({ secrets: [], now: TUESDAY }).then([{ secrets: [], added: 0, removed: 2 }]);
  });

  it('records a new order, with nothing added or removed', () => {
    given([firstSecrets])
      .when({ secrets: ['bravo', 'alpha'], now: TUESDAY })
      .then([{ secrets: [firstSecrets.secrets[1], firstSecrets.secrets[0]], added: 0, removed: 0 }]);
  });

  it('refuses the same secret listed twice', () => {
    const error = given([firstSecrets])
      .when({ secrets: ['alpha', 'charlie', 'alpha'], now: TUESDAY })
      .thenFails('validation', /twice/);
    assert.deepEqual(error.problems.map((problem) => problem.name), ['secrets']);
  });
});
