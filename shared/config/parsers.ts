/**
 * The value parsers behind the settings (settings.ts), as Joi schemas that convert the raw
 * environment string. Each kind of value has exactly one parser here: numbers (durations, counts,
 * ports) through numberIn, sizes through byteSize, addresses through hostOrIp, brokerList,
 * connectionUrl and ipList. A schema rejects with 'any.invalid' (or Joi's own number errors); config.ts turns
 * any rejection into one problem line using the setting's `expected` text.
 */
import Joi from 'joi';

/** Largest delay Node's timers accept; a longer timer would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/**
 * A number from `min` to `max` inclusive (`min` itself excluded when `minExclusive`); fractions
 * only when `fractions`. Durations are numbers in the unit their variable names (_MS, _S, _HOURS).
 */
export function numberIn(range: { min: number; max: number; fractions?: boolean; minExclusive?: boolean }): Joi.NumberSchema {
  let schema = Joi.number().max(range.max);
  schema = range.minExclusive ? schema.greater(range.min) : schema.min(range.min);
  return range.fractions ? schema : schema.integer();
}

/** A size such as 1048576, 512kb, 1mb or "1.5 MB" (1kb = 1024 bytes), converted to whole bytes, at least 1. */
export function byteSize(): Joi.StringSchema {
  return Joi.string().custom((value: string, helpers) => parseByteSize(value) ?? helpers.error('any.invalid'));
}

/** A host name, an IP address or a Docker service name. */
export function hostOrIp(): Joi.StringSchema {
  return Joi.string().custom((value: string, helpers) => (isHostOrIp(value) ? value : helpers.error('any.invalid')));
}

/** A port number from 0 to 65535, or `off` (converted to null): a listener that may be switched off. */
export function portOrOff(): Joi.AlternativesSchema {
  const off = Joi.string().custom((value: string, helpers) => (value.toLowerCase() === 'off' ? null : helpers.error('any.invalid')));
  return Joi.alternatives(off, numberIn({ min: 0, max: 65535 }));
}

/** A comma-separated list of host names or IP addresses, as an array of trimmed entries. */
export function hostList(): Joi.StringSchema {
  return Joi.string().custom((value: string, helpers) => {
    const names = value.split(',').map((name) => name.trim());
    return names.every(isHostOrIp) ? names : helpers.error('any.invalid');
  });
}

/** A comma-separated list of host:port, converted to an array of trimmed entries. */
export function brokerList(): Joi.StringSchema {
  return Joi.string().custom((value: string, helpers) => parseBrokerList(value) ?? helpers.error('any.invalid'));
}

/** A comma-separated list of IP addresses or CIDR subnets (10.0.0.0/8, fd00::/8), as an array. */
export function ipList(): Joi.StringSchema {
  return Joi.string().custom((value: string, helpers) => parseIpList(value) ?? helpers.error('any.invalid'));
}

/**
 * A comma-separated list of web origins (scheme://host[:port], http or https, nothing after),
 * converted to their normalized form (lower case, default port dropped) as `URL.origin` gives.
 */
export function originList(): Joi.StringSchema {
  return Joi.string().custom((value: string, helpers) => parseOriginList(value) ?? helpers.error('any.invalid'));
}

/**
 * A driver connection string with one of `schemes`; for the schemes in `singleHostWithoutPort`
 * (DNS seed lists such as mongodb+srv) exactly one host and no port.
 */
export function connectionUrl(schemes: string[], options: { singleHostWithoutPort: string[] }): Joi.StringSchema {
  return Joi.string().custom((value: string, helpers) =>
    isConnectionUrl(value, schemes, options.singleHostWithoutPort) ? value : helpers.error('any.invalid'),
  );
}

/**
 * Replaces the user-info part of a connection string, and the values of query parameters that
 * look like secrets (password, token, key...), with ***.
 */
export function redactUrlCredentials(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@')
    .replace(/([?&][^=&#]*(?:pass|secret|token|key|authmechanismproperties)[^=&#]*=)[^&#]*/gi, '$1***');
}

function parseOriginList(value: string): string[] | null {
  const origins: string[] = [];
  for (const entry of value.split(',').map((part) => part.trim())) {
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      return null;
    }
    const bare = url.pathname === '/' && !entry.endsWith('/') && url.search === '' && url.hash === '' && url.username === '';
    if (!['http:', 'https:'].includes(url.protocol) || !bare) return null;
    origins.push(url.origin);
  }
  return origins;
}

/** Parses "1048576", "512kb", "1mb", "1.5 MB" into bytes; null when malformed or not positive. */
function parseByteSize(value: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(value);
  if (!match) return null;
  const bytes = Math.floor(Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()]);
  return bytes >= 1 && Number.isSafeInteger(bytes) ? bytes : null;
}

/**
 * Checks a driver connection string: scheme://[user:pass@]host[:port][,host[:port]...][/path][?query].
 * These are not plain URLs (several hosts are allowed), so WHATWG URL parsing does not fit.
 */
function isConnectionUrl(value: string, schemes: string[], singleHostWithoutPort: string[]): boolean {
  if (/\s/.test(value)) return false;
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/i.exec(value);
  if (!match) return false;
  const scheme = match[1].toLowerCase();
  if (!schemes.includes(scheme)) return false;
  const authority = match[2];
  const hostList = authority.slice(authority.lastIndexOf('@') + 1);
  const hosts = hostList.split(',').map(parseHostPort);
  if (hosts.some((host) => host === null)) return false;
  if (singleHostWithoutPort.includes(scheme)) {
    return hosts.length === 1 && hosts[0]!.port === null;
  }
  return true;
}

function parseBrokerList(value: string): string[] | null {
  const brokers = value.split(',').map((broker) => broker.trim());
  const allValid = brokers.every((broker) => {
    const parsed = parseHostPort(broker);
    return parsed !== null && parsed.port !== null;
  });
  return allValid ? brokers : null;
}

const ipOrSubnetSchema = Joi.string().ip({ cidr: 'optional' });

function parseIpList(value: string): string[] | null {
  const entries = value.split(',').map((entry) => entry.trim());
  return entries.every((entry) => ipOrSubnetSchema.validate(entry).error === undefined) ? entries : null;
}

/** Parses `host`, `host:port`, `[ipv6]` or `[ipv6]:port`; null when malformed. */
function parseHostPort(text: string): { host: string; port: number | null } | null {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(text);
  if (!match) return null;
  const host = match[1];
  if (!host.startsWith('[') && !isHostOrIp(host)) return null;
  if (match[2] === undefined) return { host, port: null };
  const port = Number(match[2]);
  return port >= 1 && port <= 65535 ? { host, port } : null;
}

const hostnameSchema = Joi.alternatives(Joi.string().ip({ cidr: 'forbidden' }), Joi.string().hostname());
const dockerNamePattern = /^[a-z0-9](?:[a-z0-9_.-]*[a-z0-9])?$/i;

function isHostOrIp(value: string): boolean {
  // Docker service names may contain underscores, which strict host name rules reject.
  return hostnameSchema.validate(value).error === undefined || dockerNamePattern.test(value);
}
