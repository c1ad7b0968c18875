/**
 * The operator console at `/`: the single-page app that `npm run build` bundles into dist/console
 * (Vite, from services/console/web), served with its security headers.
 *
 * - `/` and every client route (`/hosts/12`, `/specs/queries/x`, ...: the sections in
 *   CLIENT_SECTIONS) answer the app's index.html, so a reload or a shared link opens that view;
 * - `/assets/<file>` answers a built file (content-hashed names, cached for a year); a file that is
 *   not there, or a path that climbs out of the folder, is a 404 in Fleet's error shape, never the page;
 * - `/console` and anything under it (the old shell page) redirect to the console's Shells view.
 *
 * Every answer here carries the console's Content-Security-Policy (helmet): only the console's own
 * scripts run (no inline script, no eval); styles may be inline because CodeMirror and xterm.js
 * set style attributes and sheets at run time; framing is refused.
 * Invariant: nothing under /api, /healthz, /metrics or /socket.io is ever answered here.
 */
import express, { Router, type Response } from 'express';
import helmet from 'helmet';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { sendFleetError } from '../../shared/http/fleet-errors';

/** dist/console, next to dist/services (this module runs from dist/services/console). */
const BUILD_DIR = path.resolve(__dirname, '../../console');
const INDEX_HTML = path.join(BUILD_DIR, 'index.html');

/** The app's top-level client routes (services/console/web/src/router.ts lists the same). */
export const CLIENT_SECTIONS = ['sign-in', 'setup', 'query', 'campaigns', 'hosts', 'specs', 'activity', 'users', 'settings', 'shells'] as const;

export const consoleSecurityHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      'default-src': ["'none'"],
      'script-src': ["'self'"],
      'style-src': ["'self'", "'unsafe-inline'"],
      'connect-src': ["'self'"],
      'img-src': ["'self'", 'data:'],
      'font-src': ["'self'"],
      'base-uri': ["'none'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  // The console is reached over plain HTTP on a developer's machine too: no HSTS from here.
  strictTransportSecurity: false,
});

function isClientRoute(pathname: string): boolean {
  if (pathname === '/') return true;
  const section = pathname.split('/')[1];
  return (CLIENT_SECTIONS as readonly string[]).includes(section);
}

function sendIndex(res: Response): void {
  if (!existsSync(INDEX_HTML)) {
    sendFleetError(res, 503, 'Console not built', [{ name: 'base', reason: 'the console is not built: run "npm run build"' }]);
    return;
  }
  res.setHeader('cache-control', 'no-cache');
  res.sendFile(INDEX_HTML);
}

export function consoleRoutes(): Router {
  const router = Router();
  router.use('/console', consoleSecurityHeaders, (_req, res) => res.redirect(301, '/shells'));
  router.use('/assets', consoleSecurityHeaders, express.static(path.join(BUILD_DIR, 'assets'), { index: false, fallthrough: true, immutable: true, maxAge: '365d' }));
  // What static did not find (or refused as outside its folder) falls through to here.
  router.use('/assets', (req, res) => {
    sendFleetError(res, 404, 'Resource Not Found', [{ name: 'base', reason: `no console file at ${req.originalUrl.split('?')[0].slice(0, 200)}` }]);
  });
  router.get('/favicon.svg', consoleSecurityHeaders, (_req, res, next) => {
    const icon = path.join(BUILD_DIR, 'favicon.svg');
    if (existsSync(icon)) res.sendFile(icon);
    else next();
  });
  router.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isClientRoute(req.path)) return next();
    consoleSecurityHeaders(req, res, () => sendIndex(res));
  });
  return router;
}
