/**
 * What kafkajs is given to reach brokers that ask for TLS and SASL, from the KAFKA_SSL* and
 * KAFKA_SASL_* settings (shared/config). The PEM files are read once, when the results bus
 * connects: a file that cannot be read stops the start with a message naming the setting.
 * Server certificates are always verified (against KAFKA_SSL_CA, or the system's CAs): there is
 * no setting that turns verification off.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import type { KafkaSecurityConfig } from '../../config/config';

export interface KafkaConnectionSecurity {
  /** kafkajs's `ssl`: absent for plaintext, true for the system's CAs, or the PEM contents. */
  ssl?: ConnectionOptions | true;
  /** kafkajs's `sasl`: absent for no authentication. */
  sasl?: SASLOptions;
}

export function kafkaConnectionSecurity(security: KafkaSecurityConfig): KafkaConnectionSecurity {
  const result: KafkaConnectionSecurity = {};
  if (security.tls !== null) {
    const { caFile, certFile, keyFile } = security.tls;
    const options: ConnectionOptions = {};
    if (caFile !== null) options.ca = pem('KAFKA_SSL_CA', caFile);
    if (certFile !== null) options.cert = pem('KAFKA_SSL_CERT', certFile);
    if (keyFile !== null) options.key = pem('KAFKA_SSL_KEY', keyFile);
    result.ssl = Object.keys(options).length === 0 ? true : options;
  }
  if (security.sasl !== null) {
    const { mechanism, username, password } = security.sasl;
    result.sasl = { mechanism, username, password } as SASLOptions;
  }
  return result;
}

function pem(setting: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${setting}: cannot read ${file}: ${(error as Error).message}`);
  }
}
