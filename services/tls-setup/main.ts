/**
 * One-shot: prepares the certificate the proxy in front of the services serves, then exits.
 *
 * With TLS_CERT and TLS_KEY (the operator's) it copies them; without them it makes or renews
 * Logbook's own local CA and server certificate under DATA_DIR/tls (shared/tls/server-identity.ts,
 * names from TLS_HOSTNAMES). Either way the proxy reads the same two files:
 *   DATA_DIR/tls/proxy-cert.pem   the certificate chain to serve (leaf, then intermediates)
 *   DATA_DIR/tls/proxy-key.pem    its key (mode 0600)
 * and hosts and fleetctl trust DATA_DIR/tls/ca.pem (generated) or the operator's own CA.
 * Files are written to a temporary name and renamed, so the proxy never reads half a key.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../shared/config/config';
import { loadServerIdentity } from '../../shared/tls/server-identity';

export const PROXY_CERT_FILE = 'proxy-cert.pem';
export const PROXY_KEY_FILE = 'proxy-key.pem';

function writeAtomically(file: string, contents: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents, { mode });
  renameSync(temporary, file);
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const identity = await loadServerIdentity({ ...config.tls, dataDir: config.dataDir });
  const dir = join(config.dataDir, 'tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeAtomically(join(dir, PROXY_KEY_FILE), identity.key, 0o600);
  writeAtomically(join(dir, PROXY_CERT_FILE), identity.cert, 0o644);
  process.stdout.write(
    `tls-setup: ${identity.source} certificate in ${join(dir, PROXY_CERT_FILE)}` +
      (identity.caFile ? `; hosts and fleetctl trust ${identity.caFile}` : '') +
      (identity.issued.server ? ' (issued now)' : '') +
      '\n',
  );
}

main().catch((error) => {
  process.stderr.write(`tls-setup: ${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
