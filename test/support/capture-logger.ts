// A Powertools logger whose lines are kept in memory instead of printed, so tests stay quiet and can
// check what would reach CloudWatch (e.g. that no token or secret is ever logged).
import { Logger } from '@aws-lambda-powertools/logger';

export interface CapturedLogger {
  readonly logger: Logger;
  /** Every line logged, as the JSON text that would be written. */
  readonly lines: string[];
}

export function captureLogger(serviceName = 'twentythree-sso-test'): CapturedLogger {
  const lines: string[] = [];
  const logger = new Logger({ serviceName, logLevel: 'DEBUG' });
  const keep = (line: unknown) => void lines.push(String(line));
  // Powertools writes through its own Console instance: replacing it keeps the lines here instead of on stdout.
  (logger as unknown as { console: Partial<Console> }).console = { info: keep, warn: keep, error: keep, debug: keep, log: keep, trace: keep };
  return { logger, lines };
}
