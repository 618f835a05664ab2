import { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';

/** What the event library uses of a tracer. */
export type TracerLike = Pick<Tracer, 'isTracingEnabled' | 'getSegment' | 'setSegment' | 'putAnnotation' | 'captureAWSv3Client'>;

/** Tracing off: what Powertools' Tracer does outside Lambda, without loading the X-Ray SDK. */
const TRACING_OFF: TracerLike = {
  isTracingEnabled: () => false,
  getSegment: () => undefined,
  setSegment: () => undefined,
  putAnnotation: () => undefined,
  captureAWSv3Client: (client) => client,
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

/**
 * `client`, captured by the tracer: each request becomes an X-Ray subsegment named after the service (`EventBridge`,
 * `DynamoDB`, `SFN`) with its operation, region, request id and attempts, nested under whatever (sub)segment is
 * current when the request is sent (the handler's, inside {@link traced}). Outside Lambda, or with
 * POWERTOOLS_TRACE_ENABLED=false, `client` itself, untouched, and the X-Ray SDK is not loaded.
 *
 * Wrap the client where it is made, before its first request: with `cacheMiddleware` (`SDK_CLIENT_DEFAULTS`, sdk.ts)
 * the client's middleware stack is fixed at its first request. The X-Ray middleware looks the parent segment up on
 * every request, so a cached stack still nests each call correctly.
 *
 * @example
 * ```ts
 * const ses = tracedClient(new SESv2Client({ ...SDK_CLIENT_DEFAULTS }));
 * ```
 */
export function tracedClient<C extends { readonly middlewareStack: object; readonly config: object }>(client: C): C {
  return tracerFor(process.env.POWERTOOLS_SERVICE_NAME).captureAWSv3Client(client);
}

/**
 * The Powertools tracers of this process, by service name, made once: every new one subscribes to fetch's diagnostics
 * channels again, and each fetch would be traced once per tracer.
 */
const tracers = new Map<string | undefined, TracerLike>();

function tracerFor(serviceName: string | undefined): TracerLike {
  if (!process.env.AWS_LAMBDA_FUNCTION_NAME || process.env.POWERTOOLS_TRACE_ENABLED === 'false') return TRACING_OFF;
  let tracer = tracers.get(serviceName);
  if (!tracer) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Tracer: PowertoolsTracer } = require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer');
    tracer = new PowertoolsTracer(serviceName === undefined ? {} : { serviceName });
    tracers.set(serviceName, tracer);
  }
  return tracer;
}

/** What the work inside {@link traced} may add to its subsegment once it knows more than at the start. */
export interface TraceScope {
  /** Adds annotations (searchable in X-Ray), such as an id the work learns part-way through. */
  annotate(annotations: Record<string, string>): void;
  /** Records an error the work answered for instead of throwing (a 503 response), so the trace still shows the fault. */
  recordError(error: Error): void;
}

const UNTRACED: TraceScope = { annotate: () => undefined, recordError: () => undefined };

/**
 * Runs `work` in an X-Ray subsegment named after the handler, annotated for search (e.g. by correlation id), with
 * a thrown error recorded on it; `work` gets a {@link TraceScope} for what it learns later. A plain call when tracing
 * is off (outside Lambda, or POWERTOOLS_TRACE_ENABLED=false).
 */
export async function traced<T>(tracer: TracerLike, name: string, annotations: Record<string, string>, work: (scope: TraceScope) => Promise<T>): Promise<T> {
  const segment = tracer.isTracingEnabled() ? tracer.getSegment() : undefined;
  const subsegment = segment?.addNewSubsegment(`## ${name}`);
  if (!segment || !subsegment) return work(UNTRACED);
  tracer.setSegment(subsegment);
  for (const [key, value] of Object.entries(annotations)) tracer.putAnnotation(key, value);
  // The scope writes to this subsegment itself: by the time the work calls it, the current segment may be another.
  const scope: TraceScope = {
    annotate: (more) => {
      for (const [key, value] of Object.entries(more)) subsegment.addAnnotation(key, value);
    },
    recordError: (error) => subsegment.addError(error),
  };
  try {
    return await work(scope);
  } catch (error) {
    subsegment.addError(error as Error);
    throw error;
  } finally {
    subsegment.close();
    tracer.setSegment(segment);
  }
}
