/**
 * The console's build: `npm run build` runs it after the server's tsc build. Output in
 * dist/console (index.html, assets/ with content-hashed names), served at / by console-routes.ts.
 * No inline script is emitted (the Content-Security-Policy allows only 'self' scripts), and the
 * heavy parts (CodeMirror, xterm.js) are split into chunks loaded by the views that use them.
 */
import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  logLevel: 'warn',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('../../../dist/console', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // An inline module preload polyfill would be an inline script: none (every supported browser preloads modules).
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
