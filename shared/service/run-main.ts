/**
 * What every service's main does around its own start: load and validate the configuration
 * (a bad one exits 1 with the list of problems), create the logger, start, and stop cleanly on
 * SIGINT/SIGTERM.
 */
import { ConfigError, describeConfig, loadConfig, type Config } from '../config/config';
import { createLogger, type Logger } from '../observability/logger';
import { logStartupPhasesTo, startupPhase } from '../observability/startup-phases';

export interface RunningService {
  stop(): Promise<void>;
}

export function runMain(name: string, start: (config: Config, logger: Logger) => Promise<RunningService>): void {
  startupPhase('modules loaded');
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel, name);
  logStartupPhasesTo(logger);
  logger.info({ config: describeConfig(config) }, 'starting');
  start(config, logger).then(
    (service) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'stopping');
        service.stop().then(
          () => process.exit(0),
          (error) => {
            logger.error({ err: error }, 'error while stopping');
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => stop('SIGINT'));
      process.on('SIGTERM', () => stop('SIGTERM'));
    },
    (error) => {
      logger.fatal({ err: error }, 'failed to start');
      process.stderr.write(`${name}: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
