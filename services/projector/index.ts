/** The projector service's public surface. */
export { Projector } from './projector';
export { rebuildReadModels, type RebuildProgress } from './rebuild';
