/**
 * Node's parseArgs with one difference that matters for secrets: `--name VALUE` always takes VALUE
 * as the option's value when `name` is a string option, even when VALUE starts with '-' (a
 * base64url token or enroll secret does, one time in 32). parseArgs alone refuses such a value as
 * "ambiguous", so `--token "$TOKEN"` failed at random. `--name=VALUE` works as before.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Rewrites `--name VALUE` as `--name=VALUE` for every string option, so VALUE is never read as a flag. */
export function joinStringOptionValues(argv: readonly string[], options: Options): string[] {
  const joined: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === '--') {
      joined.push(...argv.slice(index));
      break;
    }
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : null;
    if (name !== null && options[name]?.type === 'string' && index + 1 < argv.length) {
      joined.push(`${arg}=${argv[++index]}`);
    } else {
      joined.push(arg);
    }
  }
  return joined;
}

type Extra = Omit<ParseArgsConfig, 'options' | 'args'>;

export function parseCliOptions<const T extends Options, const E extends Extra = {}>(options: T, argv: readonly string[] = process.argv.slice(2), extra?: E) {
  return parseArgs<E & { options: T; args: string[] }>({ ...(extra as E), options, args: joinStringOptionValues(argv, options) });
}
