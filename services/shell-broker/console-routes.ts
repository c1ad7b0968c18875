/**
 * The browser terminal at /console/: its page, and xterm.js served from node_modules (no CDN).
 *
 * Every answer under /console carries the console's security headers (helmet): a
 * Content-Security-Policy that runs only the console's own scripts (no inline script, no eval),
 * refuses framing (`frame-ancestors 'none'`, X-Frame-Options DENY), `nosniff` and
 * `Referrer-Policy: no-referrer`. Styles may be inline because xterm.js sizes its rows with inline
 * style attributes; scripts never are. A file that is not there (a favicon, a path that climbs
 * out of the folder) is a plain 404, not an error.
 */
import express, { Router } from 'express';
import helmet from 'helmet';
import path from 'node:path';
import { sendFleetError } from '../../shared/http/fleet-errors';

/** The page's source folder: next to this module in the repository (dist/ holds only compiled code). */
const CONSOLE_DIR = path.resolve(__dirname, '../../../services/shell-broker/console');

function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

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

export function consoleRoutes(): Router {
  const router = Router();
  const files = { index: false, fallthrough: true, maxAge: 0 } as const;
  router.use('/console', consoleSecurityHeaders);
  router.get('/console', (req, res) => {
    // Routing is not strict, so this route also sees /console/: only the bare path redirects.
    if (req.originalUrl.split('?')[0].endsWith('/')) res.sendFile(path.join(CONSOLE_DIR, 'index.html'));
    else res.redirect(301, '/console/');
  });
  router.use('/console/vendor/xterm', express.static(packageDir('@xterm/xterm'), files));
  router.use('/console/vendor/addon-fit', express.static(packageDir('@xterm/addon-fit'), files));
  router.use('/console', express.static(CONSOLE_DIR, files));
  // What static did not find (or refused as outside its folder) falls through to here.
  router.use('/console', (req, res) => {
    sendFleetError(res, 404, 'Resource Not Found', [{ name: 'base', reason: `no console file at ${req.originalUrl.split('?')[0].slice(0, 200)}` }]);
  });
  return router;
}
