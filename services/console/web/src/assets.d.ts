/** Vite imports stylesheets as side effects. */
declare module '*.css';
