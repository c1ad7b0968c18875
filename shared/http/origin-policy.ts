/**
 * Which browser pages may open Logbook's sockets (cross-site WebSocket hijacking and cross-site
 * SockJS/Socket.IO polling): a request with an `Origin` header is accepted only from the
 * server's own origin (the request's Host, with the scheme it arrived over, or the one a
 * TLS-terminating proxy names in X-Forwarded-Proto) or from a listed origin (ALLOWED_ORIGINS).
 * A request without Origin is not from a browser page (fleetctl, osquery, the launcher) and is
 * accepted: those clients authenticate with their own tokens, not with ambient credentials.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export type OriginCheck = (req: IncomingMessage) => boolean;

export function originPolicy(allowedOrigins: readonly string[]): OriginCheck {
  const allowed = new Set(allowedOrigins);
  return (req) => {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      return false; // includes "null" (sandboxed frames, file: pages)
    }
    if (allowed.has(parsed.origin)) return true;
    const host = req.headers.host?.toLowerCase();
    if (!host || parsed.host !== host) return false;
    return schemesOf(req).includes(parsed.protocol);
  };
}

function schemesOf(req: IncomingMessage): string[] {
  const own = (req.socket as TLSSocket).encrypted ? 'https:' : 'http:';
  const forwarded = req.headers['x-forwarded-proto'];
  const proxied = typeof forwarded === 'string' ? forwarded.split(',')[0].trim().toLowerCase() : '';
  return proxied === 'http' || proxied === 'https' ? [own, `${proxied}:`] : [own];
}
