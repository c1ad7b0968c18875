/**
 * The certificate and key the TLS listener serves, and the chain clients trust it by.
 *
 * Either the operator's (TLS_CERT and TLS_KEY, PEM files, read as they are: TLS_CERT may hold
 * the leaf followed by intermediates), or Logbook's own, kept under DATA_DIR/tls:
 *   ca.pem, ca-key.pem          the local CA: made once, never replaced while both files exist;
 *   server.pem, server-key.pem  the server certificate the CA signed.
 * The server certificate is issued again at start when its names are not exactly the wanted ones
 * (TLS_HOSTNAMES or the machine's hostname changed), when it expires within RENEW_BEFORE_DAYS,
 * or when the CA did not sign it. Files are written to a temporary name and renamed, keys with
 * mode 0600, so a crash never leaves half a key behind.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { certificateFacts, isSignedBy } from './certificate-check';
import type { PemPair } from './x509-issuer';

export const RENEW_BEFORE_DAYS = 30;

export interface TlsFiles {
  certFile: string | null;
  keyFile: string | null;
  /** Names the generated certificate covers besides localhost, 127.0.0.1, ::1 and the hostname. */
  hostnames: string[];
  dataDir: string;
}

export interface ServerIdentity {
  /** What the TLS listener serves: the leaf (and any intermediates) and its key. */
  cert: string;
  key: string;
  /** PEM chain clients put in their trust store: the served certificates, then the local CA when Logbook made them. */
  chainPem: string;
  /** The local CA's file (null with the operator's certificate). */
  caFile: string | null;
  /** 'operator' (TLS_CERT/TLS_KEY) or 'generated' (and whether this start issued a server certificate). */
  source: 'operator' | 'generated';
  issued: { ca: boolean; server: boolean };
}

/** The names a generated certificate covers, in a stable order, without duplicates. */
export function wantedNames(extra: readonly string[], machineHostname = hostname()): string[] {
  const names = ['localhost', '127.0.0.1', '::1', machineHostname.toLowerCase(), ...extra.map((name) => name.toLowerCase())];
  return [...new Set(names.filter((name) => name !== '').map(normalizeName))];
}

function normalizeName(name: string): string {
  // IPv6 addresses compare in one spelling (certificate readers expand ::1 to 0:0:...:1).
  return isIP(name) === 6 ? new URL(`http://[${name}]/`).hostname.slice(1, -1) : name;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  const left = [...new Set(a.map(normalizeName))].sort();
  const right = [...new Set(b.map(normalizeName))].sort();
  return left.length === right.length && left.every((name, index) => name === right[index]);
}

function writeAtomically(file: string, contents: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents, { mode });
  renameSync(temporary, file);
}

function readPair(certFile: string, keyFile: string): PemPair | null {
  if (!existsSync(certFile) || !existsSync(keyFile)) return null;
  return { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
}

function writePair(pair: PemPair, certFile: string, keyFile: string): void {
  writeAtomically(keyFile, pair.keyPem, 0o600);
  writeAtomically(certFile, pair.certPem, 0o644);
}

async function serverStillGood(server: PemPair, ca: PemPair, names: string[], now: number): Promise<boolean> {
  try {
    const facts = certificateFacts(server.certPem);
    const fresh = facts.notAfter.getTime() - now > RENEW_BEFORE_DAYS * 24 * 3600 * 1000;
    return fresh && sameNames(facts.names, names) && isSignedBy(server.certPem, ca.certPem);
  } catch {
    return false; // unreadable: issue a new one
  }
}

export async function loadServerIdentity(files: TlsFiles, now = Date.now()): Promise<ServerIdentity> {
  if (files.certFile !== null && files.keyFile !== null) {
    const cert = readFileSync(files.certFile, 'utf8');
    return { cert, key: readFileSync(files.keyFile, 'utf8'), chainPem: cert, caFile: null, source: 'operator', issued: { ca: false, server: false } };
  }
  const dir = join(files.dataDir, 'tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caFile = join(dir, 'ca.pem');
  const caKeyFile = join(dir, 'ca-key.pem');
  const serverFile = join(dir, 'server.pem');
  const serverKeyFile = join(dir, 'server-key.pem');
  const issued = { ca: false, server: false };
  let ca = readPair(caFile, caKeyFile);
  if (!ca) {
    const { issueCa } = await import('./x509-issuer');
    ca = await issueCa(`Logbook local CA (${hostname()})`);
    writePair(ca, caFile, caKeyFile);
    issued.ca = true;
  }
  const names = wantedNames(files.hostnames);
  let server = readPair(serverFile, serverKeyFile);
  if (!server || !(await serverStillGood(server, ca, names, now))) {
    const { issueServerCertificate } = await import('./x509-issuer');
    server = await issueServerCertificate(ca, names);
    writePair(server, serverFile, serverKeyFile);
    issued.server = true;
  }
  return { cert: server.certPem, key: server.keyPem, chainPem: server.certPem + ca.certPem, caFile, source: 'generated', issued };
}
