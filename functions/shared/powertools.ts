import { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';

/** What the event library uses of a tracer. */
export type TracerLike = Pick<Tracer, 'isTracingEnabled' | 'getSegment' | 'setSegment' | 'putAnnotation'>;

/** Tracing off: what Powertools' Tracer does outside Lambda, without loading the X-Ray SDK. */
const TRACING_OFF: TracerLike = {
  isTracingEnabled: () => false,
  getSegment: () => undefined,
  setSegment: () => undefined,
  putAnnotation: () => undefined,
};

/**
 * The logger and tracer of one service. Powertools reads POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL and
 * POWERTOOLS_TRACE_ENABLED from the environment (set by infra). The tracer is loaded only inside Lambda
 * (AWS_LAMBDA_FUNCTION_NAME set) with tracing not switched off: outside Lambda Powertools disables it anyway,
 * and the X-Ray SDK it loads installs async hooks that slow every promise of the process.
 */
export function powertoolsFor(serviceName: string): { logger: Logger; tracer: TracerLike } {
  return { logger: new Logger({ serviceName }), tracer: tracerFor(serviceName) };
}

/**
 * The logger and tracer a wrapped handler uses: the ones given, else Powertools' named after the service part of
 * the handler's name (`notifications.SendEmail` → `notifications`).
 */
export function resolvePowertools(handlerName: string, given: { readonly logger?: Logger; readonly tracer?: TracerLike }): { logger: Logger; tracer: TracerLike } {
  const service = handlerName.split('.')[0] ?? handlerName;
  return { logger: given.logger ?? new Logger({ serviceName: service }), tracer: given.tracer ?? tracerFor(service) };
}

function tracerFor(serviceName: string): TracerLike {
  if (!process.env.AWS_LAMBDA_FUNCTION_NAME || process.env.POWERTOOLS_TRACE_ENABLED === 'false') return TRACING_OFF;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Tracer: PowertoolsTracer } = require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer');
  return new PowertoolsTracer({ serviceName });
}

/**
 * Runs `work` in an X-Ray subsegment named after the handler, annotated for search (e.g. by correlation id);
 * a plain call when tracing is off (outside Lambda, or POWERTOOLS_TRACE_ENABLED=false).
 */
export async function traced<T>(tracer: TracerLike, name: string, annotations: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const segment = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  const subsegment = segment?.addNewSubsegment(`## ${name}`);
  if (!segment || !subsegment) return work();
  tracer.setSegment(subsegment);
  for (const [key, value] of Object.entries(annotations)) tracer.putAnnotation(key, value);
  try {
    return await work();
  } catch (error) {
    subsegment.addError(error as Error);
    throw error;
  } finally {
    subsegment.close();
    tracer.setSegment(segment);
  }
}
