import { Metrics } from '@aws-lambda-powertools/metrics';
import { EventPublisher, MissingConfigurationError, PublishFailedError, producerMetricsFromEnv, type PublisherOptions } from '../../../../functions/shared';
import { PRODUCER_METRICS } from '../../../../model';
import { FakeEventBridge } from '../../../helpers/fake-eventbridge';
import { fixtureEvent, uncheckedFact } from '../../../helpers/fixtures';

/** One EMF line as Powertools writes it: `_aws` with the metric directives, then dimensions and values at the top level. */
interface EmfLine {
  readonly _aws: { readonly CloudWatchMetrics: ReadonlyArray<{ readonly Namespace: string; readonly Dimensions: string[][]; readonly Metrics: Array<{ Name: string; Unit: string }> }> };
  readonly [field: string]: unknown;
}

const paymentFailed = () => fixtureEvent('PaymentFailed').detail.data;
const fact = (orderId: string) => ({ detailType: 'PaymentFailed' as const, data: { ...paymentFailed(), orderId } });

describe('EventPublisher', () => {
  describe('metrics (Powertools EMF on stdout)', () => {
    let bus: FakeEventBridge;
    let written: string[];
    const emf = (): EmfLine[] => written.filter((chunk) => chunk.includes('"_aws"')).map((chunk) => JSON.parse(chunk) as EmfLine);
    /** The line with the four totals, under the `service` dimension alone. */
    const totals = () => emf().filter((line) => PRODUCER_METRICS.attempted in line);
    /** The per-code copies of the failed count. */
    const byCode = () => emf().filter((line) => 'ErrorCode' in line);

    beforeEach(async () => {
      bus = await new FakeEventBridge().start();
      written = [];
      // Powertools writes through its own Console bound to process.stdout, so the stream's write sees each line.
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
    });
    afterEach(async () => {
      jest.restoreAllMocks();
      await bus.stop();
    });

    function publisher(options: Partial<PublisherOptions> = {}): EventPublisher {
      return new EventPublisher({
        eventBusName: 'eventflow-test',
        client: bus.client(),
        traceHeader: () => undefined,
        sleep: async () => undefined,
        metrics: new Metrics({ namespace: 'eventflow-test', serviceName: 'payment' }),
        ...options,
      });
    }

    it('reports a partial failure with its error code, the retry that delivered it and every entry attempted', async () => {
      // Arrange: the second entry is throttled once, then accepted.
      bus.responder = (_entry, call, index) => (call === 1 && index === 1 ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' } : { EventId: `e-${call}-${index}` });

      // Act
      await publisher().publish([fact('order-1'), fact('order-2')]);

      // Assert
      expect(byCode()).toEqual([
        expect.objectContaining({
          _aws: expect.objectContaining({ CloudWatchMetrics: [{ Namespace: 'eventflow-test', Dimensions: [['service', 'ErrorCode']], Metrics: [{ Name: PRODUCER_METRICS.failed, Unit: 'Count' }] }] }),
          service: 'payment',
          ErrorCode: 'ThrottlingException',
          [PRODUCER_METRICS.failed]: 1,
        }),
      ]);
      expect(totals()).toEqual([
        expect.objectContaining({
          _aws: expect.objectContaining({ CloudWatchMetrics: [expect.objectContaining({ Namespace: 'eventflow-test', Dimensions: [['service']] })] }),
          service: 'payment',
          [PRODUCER_METRICS.attempted]: 3,
          [PRODUCER_METRICS.failed]: 1,
          [PRODUCER_METRICS.retries]: 1,
          [PRODUCER_METRICS.givenUp]: 0,
        }),
      ]);
    });

    it('reports the entries given up on codes not worth retrying, one series per code', async () => {
      // Arrange
      bus.responder = (_entry, _call, index) => (index === 0 ? { ErrorCode: 'AccessDeniedException', ErrorMessage: 'not allowed' } : { ErrorCode: 'MalformedDetail', ErrorMessage: 'bad detail' });

      // Act
      const error = await publisher()
        .publish([fact('order-1'), fact('order-2')])
        .catch((e: unknown) => e);

      // Assert: the caller is told, and the metrics say the same before the error is thrown.
      expect(error).toBeInstanceOf(PublishFailedError);
      expect(byCode().map((line) => [line.ErrorCode, line[PRODUCER_METRICS.failed]])).toEqual([
        ['AccessDeniedException', 1],
        ['MalformedDetail', 1],
      ]);
      expect(totals()).toEqual([expect.objectContaining({ [PRODUCER_METRICS.attempted]: 2, [PRODUCER_METRICS.failed]: 2, [PRODUCER_METRICS.retries]: 0, [PRODUCER_METRICS.givenUp]: 2 })]);
    });

    it('counts every attempt of an entry that keeps failing, until it is given up', async () => {
      bus.responder = () => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'try later' });

      await publisher({ retry: { maxAttempts: 3 } })
        .publish(fact('order-1'))
        .catch(() => undefined);

      expect(byCode()).toEqual([expect.objectContaining({ ErrorCode: 'InternalFailure', [PRODUCER_METRICS.failed]: 3 })]);
      expect(totals()).toEqual([expect.objectContaining({ [PRODUCER_METRICS.attempted]: 3, [PRODUCER_METRICS.failed]: 3, [PRODUCER_METRICS.retries]: 2, [PRODUCER_METRICS.givenUp]: 1 })]);
    });

    it('names a failed call by its own error, not the InternalFailure code it is retried as', async () => {
      bus.failRequest = (call) => (call === 1 ? { status: 500, type: 'InternalServerError' } : undefined);

      await publisher().publish(fact('order-1'));

      expect(byCode()).toEqual([expect.objectContaining({ ErrorCode: 'InternalServerError', [PRODUCER_METRICS.failed]: 1 })]);
      expect(totals()).toEqual([expect.objectContaining({ [PRODUCER_METRICS.attempted]: 2, [PRODUCER_METRICS.failed]: 1, [PRODUCER_METRICS.retries]: 1, [PRODUCER_METRICS.givenUp]: 0 })]);
    });

    it('reports zeros when everything is accepted at once, so the failure rate has both series', async () => {
      await publisher().publish(fact('order-1'));

      expect(byCode()).toEqual([]);
      expect(totals()).toEqual([expect.objectContaining({ [PRODUCER_METRICS.attempted]: 1, [PRODUCER_METRICS.failed]: 0, [PRODUCER_METRICS.retries]: 0, [PRODUCER_METRICS.givenUp]: 0 })]);
    });

    it('keeps the counts of calls in flight together apart, on one publisher', async () => {
      const shared = publisher();

      await Promise.all([shared.publish(fact('order-1')), shared.publish([fact('order-2'), fact('order-3'), fact('order-4')])]);

      expect(
        totals()
          .map((line) => line[PRODUCER_METRICS.attempted])
          .sort(),
      ).toEqual([1, 3]);
    });

    it('writes nothing when nothing was sent (an invalid event)', async () => {
      const error = await publisher()
        .publish(uncheckedFact({ detailType: 'PaymentFailed', data: {} }))
        .catch((e: unknown) => e);

      expect((error as Error).name).toBe('EventValidationError');
      expect(emf()).toEqual([]);
    });
  });
});

describe('producerMetricsFromEnv', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of ['POWERTOOLS_METRICS_NAMESPACE', 'POWERTOOLS_SERVICE_NAME', 'AWS_LAMBDA_FUNCTION_NAME']) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    jest.restoreAllMocks();
  });
  const emitted = (metrics: Metrics): Record<string, unknown> => {
    metrics.addMetric('Probe', 'Count', 1);
    return metrics.serializeMetrics();
  };

  it('reports to POWERTOOLS_METRICS_NAMESPACE under the service given, else POWERTOOLS_SERVICE_NAME', () => {
    Object.assign(process.env, { POWERTOOLS_METRICS_NAMESPACE: 'eventflow-dev', POWERTOOLS_SERVICE_NAME: 'orders' });

    const [given, fromEnv] = [producerMetricsFromEnv('notifications'), producerMetricsFromEnv()];

    expect(given && emitted(given)).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: 'eventflow-dev' }] }, service: 'notifications' });
    expect(fromEnv && emitted(fromEnv)).toMatchObject({ _aws: { CloudWatchMetrics: [{ Namespace: 'eventflow-dev' }] }, service: 'orders' });
  });

  it('gives none outside Lambda without a namespace', () => {
    delete process.env.POWERTOOLS_METRICS_NAMESPACE;
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;

    expect(producerMetricsFromEnv('orders')).toBeUndefined();
  });

  it('fails at init inside Lambda without a namespace, naming the variable', () => {
    delete process.env.POWERTOOLS_METRICS_NAMESPACE;
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'eventflow-dev-orders-CreateOrder';

    expect(() => producerMetricsFromEnv('orders')).toThrow(MissingConfigurationError);
    expect(() => producerMetricsFromEnv('orders')).toThrow('environment variable POWERTOOLS_METRICS_NAMESPACE is required but not set');
  });
});
