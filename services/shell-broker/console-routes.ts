/** The browser terminal at /console/: its page, and xterm.js served from node_modules (no CDN). */
import express, { Router } from 'express';
import path from 'node:path';

/** The page's source folder: next to this module in the repository (dist/ holds only compiled code). */
const CONSOLE_DIR = path.resolve(__dirname, '../../../services/shell-broker/console');

function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

export function consoleRoutes(): Router {
  const router = Router();
  const files = { index: false, fallthrough: false, maxAge: 0 } as const;
  router.get('/console', (req, res) => {
    // Routing is not strict, so this route also sees /console/: only the bare path redirects.
    if (req.originalUrl.split('?')[0].endsWith('/')) res.sendFile(path.join(CONSOLE_DIR, 'index.html'));
    else res.redirect(301, '/console/');
  });
  router.use('/console/vendor/xterm', express.static(packageDir('@xterm/xterm'), files));
  router.use('/console/vendor/addon-fit', express.static(packageDir('@xterm/addon-fit'), files));
  router.use('/console', express.static(CONSOLE_DIR, files));
  return router;
}
