/**
 * Reads a stored certificate with node:crypto's X509Certificate: what decides whether it is still
 * the one to serve (its names and expiry) and whether the CA signed it. A start needs only this;
 * issuing (x509-issuer.ts, @peculiar/x509 and its ~200 modules) is loaded only when a certificate
 * has to be made.
 */
import { X509Certificate } from 'node:crypto';

export interface CertificateFacts {
  /** subjectAltName entries, DNS names and IP addresses, as written (IPv6 possibly expanded). */
  names: string[];
  notAfter: Date;
}

/** What decides whether a stored server certificate is still the one to serve. */
export function certificateFacts(certPem: string): CertificateFacts {
  const cert = new X509Certificate(certPem);
  // Node writes "DNS:a, IP Address:b"; a name it had to quote is not one Logbook writes (the
  // comparison then fails and a new certificate is issued).
  const names = (cert.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry !== '')
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ''));
  return { names, notAfter: new Date(cert.validTo) };
}

/** Whether `certPem` carries a valid signature of the CA in `caPem`. */
export function isSignedBy(certPem: string, caPem: string): boolean {
  const cert = new X509Certificate(certPem);
  const ca = new X509Certificate(caPem);
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}
