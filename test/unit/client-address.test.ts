import assert from 'node:assert/strict';
import { clientAddress, networkKey, trustedProxies } from '../../shared/http/client-address';

describe('clientAddress', () => {
  const none = trustedProxies([]);
  const proxy = trustedProxies(['10.0.0.5', '172.16.0.0/12', '::1']);

  it('is the socket peer, and X-Forwarded-For is ignored when no proxy is trusted', () => {
    assert.equal(clientAddress('198.51.100.7', undefined, none), '198.51.100.7');
    assert.equal(clientAddress('198.51.100.7', '203.0.113.1', none), '198.51.100.7');
    assert.equal(clientAddress('10.0.0.5', '203.0.113.1', none), '10.0.0.5');
  });

  it('reads IPv4-mapped IPv6 peers as IPv4', () => {
    assert.equal(clientAddress('::ffff:198.51.100.7', undefined, none), '198.51.100.7');
    assert.equal(clientAddress('::ffff:10.0.0.5', '203.0.113.1', proxy), '203.0.113.1');
  });

  it('believes X-Forwarded-For only from a trusted peer', () => {
    assert.equal(clientAddress('10.0.0.5', '203.0.113.1', proxy), '203.0.113.1');
    assert.equal(clientAddress('198.51.100.7', '203.0.113.1', proxy), '198.51.100.7');
  });

  it('walks from the right through trusted proxies only, so a client cannot prepend an address', () => {
    assert.equal(clientAddress('10.0.0.5', '1.1.1.1, 203.0.113.1, 172.20.0.3', proxy), '203.0.113.1');
    assert.equal(clientAddress('::1', ['1.1.1.1, 203.0.113.1', '172.20.0.3'], proxy), '203.0.113.1');
    assert.equal(clientAddress('10.0.0.5', '172.20.0.3, 10.0.0.5', proxy), '172.20.0.3', 'all hops trusted: the leftmost');
  });

  it('stops at a hop that is not an address', () => {
    assert.equal(clientAddress('10.0.0.5', '203.0.113.1, not-an-ip', proxy), '10.0.0.5');
  });

  it('refuses a proxy entry that is not an address or subnet', () => {
    assert.throws(() => trustedProxies(['proxy.internal']), /not an IP address/);
  });
});

describe('networkKey', () => {
  it('keeps IPv4 addresses and groups IPv6 by /64', () => {
    assert.equal(networkKey('203.0.113.1'), '203.0.113.1');
    assert.equal(networkKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(networkKey('2001:DB8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
    assert.equal(networkKey('2001:0db8::1'), '2001:db8:0:0::/64');
    assert.equal(networkKey('::1'), '0:0:0:0::/64');
    assert.equal(networkKey('64:ff9b::203.0.113.1'), '64:ff9b:0:0::/64');
    assert.equal(networkKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(networkKey('unknown'), 'unknown');
  });
});
