/** The generated certificates: made once, the CA kept, the server certificate issued again only when it must be. */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadServerIdentity, RENEW_BEFORE_DAYS, wantedNames } from '../../shared/tls/server-identity';
import { issueCa, SERVER_VALIDITY_DAYS } from '../../shared/tls/x509-issuer';
import { certificateFacts, isSignedBy } from '../../shared/tls/certificate-check';
import { osqueryFlagfile, tlsHostnameFor, FLAGFILE_DEFAULTS } from '../../shared/tls/osquery-flagfile';
import { newDataDir } from '../support/logbook-process';

const DAY_MS = 24 * 3600 * 1000;

describe('server identity (shared/tls)', () => {
  const files = (dataDir: string, hostnames: string[] = []) => ({ certFile: null, keyFile: null, hostnames, dataDir });

  it('makes a CA and a server certificate it signed, for localhost, 127.0.0.1, ::1, the hostname and TLS_HOSTNAMES', async () => {
    const dir = newDataDir();
    const identity = await loadServerIdentity(files(dir, ['logbook.example.com', '10.0.0.5']));
    assert.deepEqual(identity.issued, { ca: true, server: true });
    const ca = new X509Certificate(readFileSync(join(dir, 'tls/ca.pem')));
    const server = new X509Certificate(identity.cert);
    assert.ok(ca.ca && !server.ca);
    assert.ok(server.verify(ca.publicKey), 'signed by the CA');
    assert.ok(server.checkHost('localhost') && server.checkHost('logbook.example.com'));
    assert.ok(server.checkIP('127.0.0.1') && server.checkIP('::1') && server.checkIP('10.0.0.5'));
    assert.equal(identity.chainPem, identity.cert + readFileSync(join(dir, 'tls/ca.pem'), 'utf8'));
  });

  it('reuses both at the next start; a new name or a near expiry issues the server certificate again, the CA stays', async () => {
    const dir = newDataDir();
    const first = await loadServerIdentity(files(dir, ['a.example']));
    const again = await loadServerIdentity(files(dir, ['a.example']));
    assert.deepEqual(again.issued, { ca: false, server: false });
    assert.equal(again.cert, first.cert);
    const renamed = await loadServerIdentity(files(dir, ['b.example']));
    assert.deepEqual(renamed.issued, { ca: false, server: true });
    assert.ok(new X509Certificate(renamed.cert).checkHost('b.example'));
    const nearExpiry = Date.now() + (SERVER_VALIDITY_DAYS - RENEW_BEFORE_DAYS + 1) * DAY_MS;
    const renewed = await loadServerIdentity(files(dir, ['b.example']), nearExpiry);
    assert.deepEqual(renewed.issued, { ca: false, server: true });
    assert.notEqual(renewed.cert, renamed.cert);
    assert.equal(renewed.chainPem.endsWith(readFileSync(join(dir, 'tls/ca.pem'), 'utf8')), true);
  });

  it('issues the server certificate again when another CA signed it (read with node:crypto, no issuing library loaded)', async () => {
    const dir = newDataDir();
    await loadServerIdentity(files(dir));
    const facts = certificateFacts(readFileSync(join(dir, 'tls/server.pem'), 'utf8'));
    assert.deepEqual([...facts.names].sort(), [...wantedNames([]).map((name) => (name === '::1' ? '0:0:0:0:0:0:0:1' : name))].sort());
    const other = await issueCa('another CA');
    assert.equal(isSignedBy(readFileSync(join(dir, 'tls/server.pem'), 'utf8'), other.certPem), false);
    writeFileSync(join(dir, 'tls/ca.pem'), other.certPem);
    writeFileSync(join(dir, 'tls/ca-key.pem'), other.keyPem);
    const again = await loadServerIdentity(files(dir));
    assert.deepEqual(again.issued, { ca: false, server: true });
    assert.ok(isSignedBy(again.cert, other.certPem));
  });

  it('lists the wanted names once each, in lower case', () => {
    assert.deepEqual(wantedNames(['Logbook.Example', 'localhost', '0:0:0:0:0:0:0:1'], 'Box'), ['localhost', '127.0.0.1', '::1', 'box', 'logbook.example']);
  });
});

describe('osqueryd flagfile', () => {
  it('names the TLS port for a plain HTTP request, the Host as is over TLS', () => {
    assert.equal(tlsHostnameFor('logbook:8080', false, 8443), 'logbook:8443');
    assert.equal(tlsHostnameFor('[::1]:8080', false, 8443), '[::1]:8443');
    assert.equal(tlsHostnameFor('logbook:8080', false, 443), 'logbook');
    assert.equal(tlsHostnameFor('logbook.example:9443', true, 8443), 'logbook.example:9443');
    assert.equal(tlsHostnameFor(undefined, true, 8443), null);
  });

  it("has osquery's TLS remote API flags, one per line", () => {
    const lines = osqueryFlagfile({ ...FLAGFILE_DEFAULTS, tlsHostname: 'logbook:8443' }).trimEnd().split('\n');
    assert.equal(lines[0], '--tls_hostname=logbook:8443');
    assert.ok(lines.includes('--enroll_tls_endpoint=/api/v1/osquery/enroll'));
    assert.ok(lines.includes('--distributed_tls_read_endpoint=/api/v1/osquery/distributed/read'));
    assert.ok(lines.every((line) => /^--[a-z_]+=\S+$/.test(line)), lines.join('\n'));
  });
});
