/**
 * Who a request comes from, for throttling: the peer address of its socket, or, only when that
 * peer is a trusted reverse proxy (TRUSTED_PROXIES, empty by default), the address the proxies
 * say they received it from in X-Forwarded-For.
 *
 * Invariants:
 * - with no trusted proxies, X-Forwarded-For is never read: a client cannot choose its address;
 * - X-Forwarded-For is walked from its right end (the hop nearest us) and the walk stops at the
 *   first address that is not a trusted proxy, as Express's `trust proxy` does: the entries left
 *   of it were written by the client and prove nothing;
 * - addresses are compared as addresses: an IPv4-mapped IPv6 address (::ffff:10.0.0.1) is IPv4.
 */
import { BlockList, isIP } from 'node:net';

export interface TrustedProxies {
  trusts(address: string): boolean;
  readonly none: boolean;
}

/** IPv4-mapped IPv6 addresses as IPv4; anything else as given. */
function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address;
}

function familyOf(address: string): 'ipv4' | 'ipv6' | null {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : null;
}

/** Proxies given as IP addresses or CIDR subnets (validated by the setting's parser). */
export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split('/');
    const family = familyOf(plainAddress(address));
    if (family === null) throw new Error(`not an IP address or subnet: ${entry}`);
    if (prefix === undefined) list.addAddress(plainAddress(address), family);
    else list.addSubnet(plainAddress(address), Number(prefix), family);
  }
  return {
    none: entries.length === 0,
    trusts(address) {
      const plain = plainAddress(address);
      const family = familyOf(plain);
      return family !== null && list.check(plain, family);
    },
  };
}

/** The client's address: see the module comment. 'unknown' when the socket has none (it closed). */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trusted: TrustedProxies): string {
  let address = socketAddress === undefined ? 'unknown' : plainAddress(socketAddress);
  if (trusted.none || forwardedFor === undefined) return address;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map((hop) => plainAddress(hop.trim()));
  while (trusted.trusts(address) && hops.length > 0) {
    const next = hops.pop()!;
    // A proxy that forwards something that is not an address: the proxy is the client we know.
    if (familyOf(next) === null) break;
    address = next;
  }
  return address;
}

/**
 * The key a client address is throttled under: an IPv4 address as is, an IPv6 address by its
 * /64 network, since one host (or one customer of a provider) is usually given a whole /64 and
 * could otherwise try from a new address for every guess.
 */
export function networkKey(address: string): string {
  if (familyOf(address) !== 'ipv6') return address;
  return `${expandIpv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, as lower-case hex without leading zeros. */
function expandIpv6(address: string): string[] {
  let text = address.toLowerCase().split('%')[0];
  // An embedded IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) is the last two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    text = text.slice(0, v4.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  return [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups].map((group) => Number.parseInt(group, 16).toString(16));
}
