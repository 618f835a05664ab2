import { Logger } from '@aws-lambda-powertools/logger';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * The logger and tracer of one service. Powertools reads POWERTOOLS_SERVICE_NAME, POWERTOOLS_LOG_LEVEL and
 * POWERTOOLS_TRACE_ENABLED from the environment (set by infra); outside Lambda the tracer turns itself off.
 */
export function powertoolsFor(serviceName: string): { logger: Logger; tracer: Tracer } {
  return { logger: new Logger({ serviceName }), tracer: new Tracer({ serviceName }) };
}

/**
 * Runs `work` in an X-Ray subsegment named after the handler, annotated for search (e.g. by correlation id);
 * a plain call when tracing is off (outside Lambda, or POWERTOOLS_TRACE_ENABLED=false).
 */
export async function traced<T>(tracer: Tracer, name: string, annotations: Record<string, string>, work: () => Promise<T>): Promise<T> {
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
