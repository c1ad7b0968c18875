/**
 * What a host or client needs to connect over TLS: the certificate chain the server is trusted by
 * (Fleet's GET /config/certificate: `certificate_chain`, the PEM chain in base64) and the osqueryd
 * flagfile for this server (Logbook's). Both need the TLS listener of this process: an API behind
 * a proxy that terminates TLS answers 404 for the chain (the proxy's certificate is not known here).
 */
import type { Request } from 'express';
import { Router } from 'express';
import type { TLSSocket } from 'node:tls';
import { authorize } from '../../../shared/auth/authorize';
import { invalid, notFound } from '../../../shared/domain/errors';
import { canReadOsqueryFlagfile, canReadServerCertificate } from '../../../shared/domain/users/roles';
import { FLAGFILE_DEFAULTS, osqueryFlagfile, tlsHostnameFor } from '../../../shared/tls/osquery-flagfile';
import type { ApiDeps } from '../api-deps';

function overTls(req: Request): boolean {
  const forwarded = req.headers['x-forwarded-proto'];
  const proxied = typeof forwarded === 'string' && forwarded.split(',')[0]!.trim().toLowerCase() === 'https';
  return (req.socket as TLSSocket).encrypted === true || proxied;
}

/** A query parameter given once as a non-empty string without control characters (one flag line), or the default. */
function flagValue(req: Request, name: string, fallback: string | null): string | null {
  const value = req.query[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '' || /[\x00-\x1f\x7f]/.test(value)) throw invalid(name, `${name} must be one value without line breaks or control characters`);
  return value;
}

export function tlsRoutes(deps: ApiDeps): Router {
  const router = Router();
  router.get('/config/certificate', (_req, res) => {
    authorize(res, canReadServerCertificate, 'your role may not read the server certificate');
    if (!deps.serverTls) throw notFound('a certificate of this server (TLS is terminated in front of it)');
    res.json({ certificate_chain: Buffer.from(deps.serverTls.chainPem, 'utf8').toString('base64') });
  });
  // ?tls_hostname=host:port overrides the host osqueryd dials; ?tls_server_certs= and
  // ?enroll_secret_path= where the host keeps the chain and the secret.
  router.get('/osquery/flagfile', (req, res) => {
    authorize(res, canReadOsqueryFlagfile, 'your role may not read the osquery flagfile');
    const derived = tlsHostnameFor(req.headers.host, overTls(req), deps.serverTls?.port() ?? null);
    const tlsHostname = flagValue(req, 'tls_hostname', derived);
    if (tlsHostname === null) throw invalid('tls_hostname', 'the request has no Host header: give tls_hostname');
    const flagfile = osqueryFlagfile({
      ...FLAGFILE_DEFAULTS,
      tlsHostname,
      serverCertsPath: flagValue(req, 'tls_server_certs', FLAGFILE_DEFAULTS.serverCertsPath)!,
      enrollSecretPath: flagValue(req, 'enroll_secret_path', FLAGFILE_DEFAULTS.enrollSecretPath)!,
    });
    res.type('text/plain').send(flagfile);
  });
  return router;
}
