import { PassThrough } from 'node:stream';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { EmfCollector, LOCAL_METRICS_PATH, collectEmfLines, divertEmf, parseEmfLine } from '../../../local/emf';
import { LambdaServer } from '../../../local/lambda-server';
import { LambdaService } from '../../../local/lambda-service';

/** An EMF line as Powertools serializes it, with one metric per name and the given dimension values. */
function emfLine(values: Record<string, number>, dimensions: Record<string, string> = { service: 'orders' }, namespace = 'eventflow-local'): string {
  const metrics = new Metrics({ namespace, serviceName: dimensions.service ?? 'orders' });
  for (const [name, value] of Object.entries(dimensions)) if (name !== 'service') metrics.addDimension(name, value);
  for (const [name, value] of Object.entries(values)) metrics.addMetric(name, 'Count', value);
  return JSON.stringify(metrics.serializeMetrics());
}

describe('parseEmfLine', () => {
  it('reads each metric of a Powertools line with its namespace, unit and dimension values', () => {
    expect(parseEmfLine(emfLine({ PutEventsEntriesFailed: 2 }, { service: 'orders', ErrorCode: 'ThrottlingException' }))).toEqual([
      { namespace: 'eventflow-local', metric: 'PutEventsEntriesFailed', unit: 'Count', dimensions: { service: 'orders', ErrorCode: 'ThrottlingException' }, values: [2] },
    ]);
  });

  it('reports a metric once per dimension set, and every value of an array', () => {
    const line = JSON.stringify({
      _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'ns', Dimensions: [['service'], []], Metrics: [{ Name: 'Latency', Unit: 'Milliseconds' }] }] },
      service: 'orders',
      Latency: [3, 4],
    });

    expect(parseEmfLine(line)).toEqual([
      { namespace: 'ns', metric: 'Latency', unit: 'Milliseconds', dimensions: { service: 'orders' }, values: [3, 4] },
      { namespace: 'ns', metric: 'Latency', unit: 'Milliseconds', dimensions: {}, values: [3, 4] },
    ]);
  });

  it('drops a dimension set whose value the line lacks, as CloudWatch extracts nothing for it', () => {
    const line = JSON.stringify({ _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'ns', Dimensions: [['ErrorCode']], Metrics: [{ Name: 'Failed' }] }] }, Failed: 1 });

    expect(parseEmfLine(line)).toEqual([]);
  });

  it('is undefined for a line that is not EMF', () => {
    expect(parseEmfLine('{"level":"WARN","message":"slow"}')).toBeUndefined();
    expect(parseEmfLine('{"_aws": not json')).toBeUndefined();
    expect(parseEmfLine('{"_aws":{"Timestamp":1}}')).toBeUndefined();
  });
});

describe('EmfCollector', () => {
  it('adds up values per namespace, metric and dimension values, and counts them', () => {
    // Arrange
    const collector = new EmfCollector();

    // Act
    const taken = [
      collector.collect(emfLine({ PutEventsEntriesAttempted: 2, PutEventsEntriesFailed: 1 })),
      collector.collect(emfLine({ PutEventsEntriesAttempted: 3, PutEventsEntriesFailed: 0 })),
      collector.collect(emfLine({ PutEventsEntriesFailed: 1 }, { service: 'orders', ErrorCode: 'ThrottlingException' })),
      collector.collect(emfLine({ PutEventsEntriesAttempted: 1 }, { service: 'notifications' })),
      collector.collect('a log line'),
    ];

    // Assert
    expect(taken).toEqual([true, true, true, true, false]);
    expect(collector.snapshot()).toEqual({
      lines: 4,
      series: [
        { namespace: 'eventflow-local', metric: 'PutEventsEntriesAttempted', unit: 'Count', dimensions: { service: 'notifications' }, sum: 1, count: 1 },
        { namespace: 'eventflow-local', metric: 'PutEventsEntriesAttempted', unit: 'Count', dimensions: { service: 'orders' }, sum: 5, count: 2 },
        { namespace: 'eventflow-local', metric: 'PutEventsEntriesFailed', unit: 'Count', dimensions: { ErrorCode: 'ThrottlingException', service: 'orders' }, sum: 1, count: 1 },
        { namespace: 'eventflow-local', metric: 'PutEventsEntriesFailed', unit: 'Count', dimensions: { service: 'orders' }, sum: 1, count: 2 },
      ],
    });
  });
});

describe('divertEmf', () => {
  let written: string[];
  beforeEach(() => {
    written = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => jest.restoreAllMocks());

  it('keeps EMF lines off the stream and passes every other write on unchanged', async () => {
    // Arrange
    const collector = new EmfCollector();
    const stop = divertEmf(process.stdout, collector);
    const flushed = jest.fn();

    // Act: Powertools' own write, a log line, and a chunk joining both, as a pipe may hand them.
    new Metrics({ namespace: 'eventflow-local', serviceName: 'orders' }).addMetric('PutEventsEntriesAttempted', 'Count', 1).publishStoredMetrics();
    process.stdout.write('log line\n');
    process.stdout.write(Buffer.from(`${emfLine({ PutEventsEntriesAttempted: 2 })}\nafter\n`));
    process.stdout.write(`${emfLine({ PutEventsEntriesAttempted: 4 })}\n`, 'utf8', flushed);
    await new Promise((resolve) => process.nextTick(resolve));
    stop();
    process.stdout.write(`${emfLine({ PutEventsEntriesAttempted: 8 })}\n`);

    // Assert
    expect(written.slice(0, 2)).toEqual(['log line\n', 'after\n']);
    expect(written[2]).toContain('"PutEventsEntriesAttempted":8');
    expect(written).toHaveLength(3);
    // A writer waiting for its callback is answered, though nothing reached the stream.
    expect(flushed).toHaveBeenCalledTimes(1);
    expect(collector.snapshot().series).toEqual([expect.objectContaining({ metric: 'PutEventsEntriesAttempted', sum: 7, count: 3 })]);
  });
});

describe('collectEmfLines', () => {
  it('collects a worker’s EMF lines and forwards its other lines', async () => {
    const input = new PassThrough();
    const out = new PassThrough();
    const collector = new EmfCollector();
    collectEmfLines(input, collector, out);

    input.end(`first\n${emfLine({ PutEventsRetries: 2 })}\nlast\n`);
    await new Promise((resolve) => input.on('close', resolve));

    expect(String(out.read())).toBe('first\nlast\n');
    expect(collector.snapshot().series).toEqual([expect.objectContaining({ metric: 'PutEventsRetries', sum: 2 })]);
  });
});

describe('LambdaServer', () => {
  describe(`GET ${LOCAL_METRICS_PATH}`, () => {
    it('answers the collected metrics as JSON, and is unknown when nothing collects them', async () => {
      const collector = new EmfCollector();
      collector.collect(emfLine({ PutEventsEntriesGivenUp: 1 }));
      const [withMetrics, without] = await Promise.all([new LambdaServer(new LambdaService(), { metrics: () => collector.snapshot() }).start(), new LambdaServer(new LambdaService()).start()]);
      try {
        const answer = await fetch(`${withMetrics.url}${LOCAL_METRICS_PATH}`);
        expect(answer.status).toBe(200);
        expect(await answer.json()).toEqual({ lines: 1, series: [expect.objectContaining({ metric: 'PutEventsEntriesGivenUp', dimensions: { service: 'orders' }, sum: 1, count: 1 })] });
        expect((await fetch(`${without.url}${LOCAL_METRICS_PATH}`)).status).toBe(404);
      } finally {
        await Promise.all([withMetrics.stop(), without.stop()]);
      }
    });
  });
});
