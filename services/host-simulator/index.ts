/** The host simulator's public surface for tests and benchmarks. */
export { startHostSimulator, HostSimulatorOptionsError, type HostSimulator, type HostSimulatorStats } from './host-simulator';
export { DEFAULT_OPTIONS, type HostSimulatorOptions, type HostSimulatorHooks, type HostIdentifierKind } from './simulator-options';
export type { DistributedReadEvent, DistributedWriteEvent, EnrollEvent, HostSummary } from './host-context';
export type { SimulatedHost } from './simulated-host';
export { hostIdentity, type HostIdentity, type PlatformMix } from './host-identity';
export { PLATFORMS, PLATFORM_TYPE, type Platform } from './platforms';
export { SqlEngine, type QueryResult, type Row } from './sql-engine';
export { OSQUERY_ENDPOINTS } from './osquery-client';
