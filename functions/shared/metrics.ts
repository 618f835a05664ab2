import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { PRODUCER_METRICS, PRODUCER_METRIC_DIMENSIONS } from '../../model/metrics';
import { requiredEnv } from './env';

/**
 * The Powertools Metrics a publisher reports to, configured from the environment: the namespace from
 * POWERTOOLS_METRICS_NAMESPACE (infra sets the stage's, the local runtime `eventflow-local`), the `service` dimension
 * from `serviceName`, else POWERTOOLS_SERVICE_NAME. Inside Lambda (AWS_LAMBDA_FUNCTION_NAME set) a missing namespace
 * fails at init, naming the variable: Powertools would fall back to `default_namespace`, where no alarm looks. Outside
 * Lambda (tests, scripts, the benchmark) without a namespace there is no one to read them: undefined, no metrics, as
 * the tracer is off there.
 *
 * @example
 * ```ts
 * const publisher = new EventPublisher({ eventBusName, metrics: producerMetricsFromEnv('orders') });
 * ```
 */
export function producerMetricsFromEnv(serviceName?: string): Metrics | undefined {
  const namespace = process.env.POWERTOOLS_METRICS_NAMESPACE?.trim();
  if (!namespace) {
    if (process.env.AWS_LAMBDA_FUNCTION_NAME) requiredEnv('POWERTOOLS_METRICS_NAMESPACE');
    return undefined;
  }
  return new Metrics({ namespace, ...(serviceName ? { serviceName } : {}) });
}

/**
 * What one publish call did to PutEvents, counted as {@link PRODUCER_METRICS} names it. Counted apart from the
 * Metrics instance and written in one synchronous step: locally many invocations share one process and one
 * publisher, and metrics added across an `await` would be flushed with another call's.
 */
export class PublishTally {
  /** Entries handed to PutEvents, each attempt counted. */
  attempted = 0;
  /** PutEvents calls made again for entries an earlier call failed. */
  retries = 0;
  /** Entries still failing when the retries ran out (or at once, for a code not worth retrying). */
  givenUp = 0;
  private readonly failures = new Map<string, number>();

  /** One entry refused with `errorCode` (or failed with the whole call, which names the error). */
  failed(errorCode: string): void {
    this.failures.set(errorCode, (this.failures.get(errorCode) ?? 0) + 1);
  }

  /** Failed entries by error code. */
  get failedByCode(): ReadonlyMap<string, number> {
    return this.failures;
  }

  get failedTotal(): number {
    let total = 0;
    for (const count of this.failures.values()) total += count;
    return total;
  }

  /**
   * Writes the tally as EMF and flushes at once, so nothing waits for a handler wrapper to flush. The four counts go
   * out on every call that attempted anything, zeros included: the failure-rate alarm divides failed by attempted,
   * and a series with gaps reads as missing data rather than as no failures. Each error code gets its own line (a
   * single metric with the `ErrorCode` dimension beside `service`), since one EMF line has one set of dimension values.
   */
  publishTo(metrics: Metrics): void {
    if (this.attempted === 0) return;
    for (const [errorCode, count] of this.failures) {
      metrics.singleMetric().addDimension(PRODUCER_METRIC_DIMENSIONS.errorCode, errorCode).addMetric(PRODUCER_METRICS.failed, MetricUnit.Count, count);
    }
    metrics.addMetric(PRODUCER_METRICS.attempted, MetricUnit.Count, this.attempted);
    metrics.addMetric(PRODUCER_METRICS.failed, MetricUnit.Count, this.failedTotal);
    metrics.addMetric(PRODUCER_METRICS.retries, MetricUnit.Count, this.retries);
    metrics.addMetric(PRODUCER_METRICS.givenUp, MetricUnit.Count, this.givenUp);
    metrics.publishStoredMetrics();
  }
}
