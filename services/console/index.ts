/** The console service's public surface: the routes that serve the built single-page app at `/`. */
export { CLIENT_SECTIONS, consoleRoutes, consoleSecurityHeaders } from './console-routes';
