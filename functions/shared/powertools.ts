import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The logger and tracer of one service. Powertools reads POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL and
 * POWERTOOLS_TRACE_ENABLED from the environment (set by infra); outside Lambda the tracer turns itself off.
 */
export function powertoolsFor(serviceName: string): { logger: Logger; tracer: Tracer } {
  return { logger: new Logger({ serviceName }), tracer: new Tracer({ serviceName }) };
}
