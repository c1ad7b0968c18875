/**
 * Issues Logbook's own certificates: a local CA and server certificates it signs.
 *
 * Library: @peculiar/x509. It is maintained (PeculiarVentures, regular releases), ships its own
 * TypeScript types, and signs through WebCrypto, so key generation and signatures run in
 * Node's native crypto (an ECDSA P-256 CA and leaf take milliseconds; node-forge does RSA in
 * JavaScript and has no EC, selfsigned makes only a single self-signed certificate, not a CA
 * and a leaf it signs). It covers what is needed: a CA (basicConstraints cA, keyCertSign) and a
 * leaf with subjectAltName DNS and IP entries and serverAuth. Its dependency tsyringe needs the
 * reflect-metadata polyfill loaded first, hence the import below (this module is the only one
 * that loads @peculiar/x509, and only when it issues: reading a stored certificate at a start is
 * certificate-check.ts, over node:crypto, so a restart does not load the library's ~200 modules).
 *
 * Invariant: every key is ECDSA P-256 with SHA-256 signatures, which OpenSSL (osqueryd), Go
 * (fleetctl) and Node clients all accept.
 */
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

// Node's WebCrypto is the standard interface; its typings are Node's, not the DOM's.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600 * 1000;
export const CA_VALIDITY_DAYS = 3650;
/** 397 days: the longest validity browsers accept for a server certificate. */
export const SERVER_VALIDITY_DAYS = 397;

export interface PemPair {
  certPem: string;
  keyPem: string;
}


function serialNumber(): string {
  // Positive (top bit clear) 16 random bytes, as RFC 5280 asks.
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

function pem(label: string, der: ArrayBuffer): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

type KeyPair = webcrypto.CryptoKeyPair;

function generateKeys(): Promise<KeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']) as Promise<KeyPair>;
}

async function exportKey(key: webcrypto.CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', key));
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  // An hour back, so a client whose clock is a little behind accepts a fresh certificate.
  const notBefore = new Date(Date.now() - 3600 * 1000);
  return { notBefore, notAfter: new Date(notBefore.getTime() + days * DAY_MS) };
}

export async function issueCa(commonName: string): Promise<PemPair> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${commonName}`,
    ...validity(CA_VALIDITY_DAYS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await exportKey(keys.privateKey) };
}

/** A server certificate for `names` (DNS names or IP addresses; the first is the subject CN), signed by `ca`. */
export async function issueServerCertificate(ca: PemPair, names: string[]): Promise<PemPair> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await webcrypto.subtle.importKey('pkcs8', pemBody(ca.keyPem), ALGORITHM, false, ['sign']);
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${names[0] ?? 'localhost'}`,
    issuer: caCert.subject,
    ...validity(SERVER_VALIDITY_DAYS),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: isIP(value) ? 'ip' : 'dns', value }))),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await exportKey(keys.privateKey) };
}

function pemBody(text: string): ArrayBuffer {
  const der = Buffer.from(text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength) as ArrayBuffer;
}
