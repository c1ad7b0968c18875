import assert from 'node:assert/strict';
import { joinStringOptionValues, parseCliOptions } from '../../shared/cli/parse-cli-options';
import { parseCliArguments } from '../../services/host-simulator/cli-arguments';

describe('command-line options', () => {
  const options = { token: { type: 'string' }, verbose: { type: 'boolean' } } as const;

  it('takes a value that starts with a dash as the value of a string option', () => {
    const { values } = parseCliOptions(options, ['--token', '-Qx9_a', '--verbose']);
    assert.deepEqual({ ...values }, { token: '-Qx9_a', verbose: true });
  });

  it('leaves --name=value, boolean flags and everything after -- alone', () => {
    assert.deepEqual(joinStringOptionValues(['--token=-a', '--verbose', '--', '--token', 'x'], options), ['--token=-a', '--verbose', '--', '--token', 'x']);
  });

  it('still reports a string option given no value', () => {
    assert.throws(() => parseCliOptions(options, ['--token']), /argument missing/);
  });

  it('lets the host simulator take an enroll secret that starts with a dash', () => {
    const parsed = parseCliArguments(['--url', 'http://127.0.0.1:1', '--enroll-secret', '-secret'], {});
    assert.equal(parsed.kind, 'run');
    assert.equal(parsed.kind === 'run' && parsed.settings.options.enrollSecret, '-secret');
  });
});
