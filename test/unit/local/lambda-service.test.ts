import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAMBDA_ASYNC_DEFAULTS } from '../../../model/limits';
import { LocalQueue } from '../../../local/bus/local-queue';
import { LambdaServer } from '../../../local/lambda-server';
import { FunctionNotFoundError, LambdaService, type InvocationRecord } from '../../../local/lambda-service';
import { thrownBy } from '../../helpers/thrown';

// Lambda's asynchronous invocation and its on-failure record, as the developer guide documents them:
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
const ARN = 'arn:aws:lambda:eu-west-1:000000000000:function:local-notifications-SendEmail';
const EVENT = { 'detail-type': 'PaymentMade', detail: { data: { orderId: 'order-1' } } };

/** A handler that fails its first `failures` calls (forever with Infinity), then succeeds, counting calls. */
function flaky(failures: number, error: () => Error = () => new TypeError('contacts table unavailable')) {
  const calls: unknown[] = [];
  return {
    calls,
    handler: async (event: unknown) => {
      calls.push(event);
      if (calls.length <= failures) throw error();
      return { ok: true };
    },
  };
}

const records = (queue: LocalQueue) => queue.list().map((message) => JSON.parse(message.body) as InvocationRecord);

describe('LambdaService', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'eventflow-lambda-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('functions by name or ARN', () => {
    it('resolves a name, an ARN, a partial ARN and $LATEST; refuses other qualifiers and unknown names', async () => {
      const service = new LambdaService();
      const arn = service.register({ name: 'local-notifications-SendEmail', handler: async (event) => ({ echoed: event }) });

      expect(arn).toBe(ARN);
      for (const name of ['local-notifications-SendEmail', ARN, `${ARN}:$LATEST`, '000000000000:function:local-notifications-SendEmail']) expect(service.resolve(name)?.arn).toBe(ARN);
      expect(service.resolve(`${ARN}:7`)).toBeUndefined();
      expect(service.resolve('arn:aws:lambda:us-east-1:000000000000:function:local-notifications-SendEmail')).toBeUndefined();
      await expect(service.invoke(ARN, EVENT)).resolves.toEqual({ echoed: EVENT });
      const error = thrownBy(() => service.invokeAsync('no-such-function', EVENT), FunctionNotFoundError);
      expect(error).toMatchObject({ retryable: false, message: 'Function not found: arn:aws:lambda:eu-west-1:000000000000:function:no-such-function' });
    });

    it('uses Lambda’s asynchronous defaults: two retries, six hours', () => {
      expect(LAMBDA_ASYNC_DEFAULTS).toEqual({ maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21_600 });
    });
  });

  describe('invokeAsync', () => {
    it('runs at most maxConcurrency invocations at once and queues the rest, as Lambda’s concurrency limit does', async () => {
      // Arrange
      let running = 0;
      let most = 0;
      const service = new LambdaService({ retryBaseMs: 1, maxConcurrency: 2 });
      service.register({
        name: 'local-notifications-SendEmail',
        handler: async () => {
          most = Math.max(most, ++running);
          await new Promise((resolve) => setTimeout(resolve, 5));
          running--;
        },
      });

      // Act
      for (let index = 0; index < 6; index++) service.invokeAsync(ARN, EVENT);
      await service.idle();

      // Assert
      expect(most).toBe(2);
    });

    it('retries a failing function twice, then sends the invocation record in AWS’s format to the on-failure queue', async () => {
      const onFailure = new LocalQueue('notifications-SendEmail-async-failures');
      const fn = flaky(Infinity);
      const service = new LambdaService({ retryBaseMs: 1 });
      service.register({ name: 'local-notifications-SendEmail', handler: fn.handler, onFailure });

      const requestId = service.invokeAsync(ARN, EVENT);
      const pendingAtOnce = service.pending;
      await service.idle();

      expect(pendingAtOnce).toBe(1);
      expect(fn.calls).toEqual([EVENT, EVENT, EVENT]);
      expect(records(onFailure)).toEqual([
        {
          version: '1.0',
          timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          requestContext: { requestId, functionArn: `${ARN}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: 3 },
          requestPayload: EVENT,
          responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
          responsePayload: { errorType: 'TypeError', errorMessage: 'contacts table unavailable', trace: expect.arrayContaining(['TypeError: contacts table unavailable']) },
        },
      ]);
      expect(onFailure.list()[0]?.attributes).toEqual({});
    });

    it('succeeds on a retry without any record', async () => {
      const onFailure = new LocalQueue('q');
      const fn = flaky(2);
      const service = new LambdaService({ retryBaseMs: 1 });
      service.register({ name: 'local-notifications-SendEmail', handler: fn.handler, onFailure });

      service.invokeAsync('local-notifications-SendEmail', EVENT);
      await service.idle();

      expect(fn.calls).toHaveLength(3);
      expect(onFailure.depth).toBe(0);
    });

    it('sends a non-retryable error (an invalid event) to the on-failure queue after one attempt', async () => {
      const onFailure = new LocalQueue('q');
      const fn = flaky(Infinity, () => Object.assign(new Error('PaymentMade v2 is invalid'), { name: 'EventValidationError', retryable: false }));
      const service = new LambdaService({ retryBaseMs: 1 });
      service.register({ name: 'local-notifications-SendEmail', handler: fn.handler, onFailure });

      service.invokeAsync(ARN, EVENT);
      await service.idle();

      expect(fn.calls).toHaveLength(1);
      expect(records(onFailure)[0]).toMatchObject({ requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 1 }, responsePayload: { errorType: 'EventValidationError' } });
    });

    it('discards an event older than the maximum event age with condition EventAgeExceeded, without a response', async () => {
      const onFailure = new LocalQueue('q');
      const fn = flaky(0);
      const service = new LambdaService({ retryBaseMs: 1 });
      service.register({ name: 'local-notifications-SendEmail', handler: fn.handler, onFailure, asyncConfig: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 0 } });

      service.invokeAsync(ARN, EVENT);
      await service.idle();

      expect(fn.calls).toHaveLength(0);
      const [record] = records(onFailure);
      expect(record?.requestContext).toMatchObject({ condition: 'EventAgeExceeded', approximateInvokeCount: 0 });
      expect(record).not.toHaveProperty('responsePayload');
    });
  });

  describe('the journal', () => {
    it('re-runs an invocation a crash interrupted, once, and forgets it when finished', async () => {
      const journalFile = join(dir, 'lambda', 'async-journal.jsonl');
      const crashed = new LambdaService({ retryBaseMs: 1, journalFile });
      // The first process accepts the invocation and dies while the function runs.
      crashed.register({ name: 'local-notifications-SendEmail', handler: () => new Promise(() => undefined) });
      const requestId = crashed.invokeAsync(ARN, EVENT);

      const fn = flaky(0);
      const restarted = new LambdaService({ retryBaseMs: 1, journalFile });
      restarted.register({ name: 'local-notifications-SendEmail', handler: fn.handler });
      const resumed = restarted.resume();
      await restarted.idle();
      const journalAfterRun = readFileSync(journalFile, 'utf8');
      const third = new LambdaService({ retryBaseMs: 1, journalFile });
      third.register({ name: 'local-notifications-SendEmail', handler: fn.handler });

      expect(resumed).toBe(1);
      expect(fn.calls).toEqual([EVENT]);
      expect(journalAfterRun).toContain(`"op":"finished","requestId":"${requestId}"`);
      expect(third.resume()).toBe(0);
      // Compacted to the unfinished invocations: none.
      expect(readFileSync(journalFile, 'utf8')).toBe('');
    });

    it('rewrites itself as it grows, keeping only the unfinished invocations', async () => {
      const journalFile = join(dir, 'journal.jsonl');
      const service = new LambdaService({ retryBaseMs: 1, journalFile });
      service.register({ name: 'local-orders-RecordOrderOutcome', handler: async () => undefined });
      service.register({ name: 'local-notifications-SendEmail', handler: () => new Promise(() => undefined) });
      const stuck = service.invokeAsync(ARN, EVENT);

      for (let i = 0; i < 3_000; i++) service.invokeAsync('local-orders-RecordOrderOutcome', { i });
      while (service.pending > 1) await new Promise((resolve) => setTimeout(resolve, 5));

      const lines = readFileSync(journalFile, 'utf8')
        .split('\n')
        .filter((line) => line !== '');
      expect(lines.length).toBeLessThan(5_000);
      expect(lines.some((line) => line.includes(`"op":"queued","requestId":"${stuck}"`))).toBe(true);
    });

    it('keeps the attempts used before the crash: the record counts them all', async () => {
      const journalFile = join(dir, 'journal.jsonl');
      let calls = 0;
      const crashed = new LambdaService({ retryBaseMs: 1, journalFile });
      crashed.register({
        name: 'local-notifications-SendEmail',
        handler: async () => {
          if (++calls === 1) throw new Error('first attempt fails');
          return new Promise(() => undefined); // the second attempt never ends: the process dies during it
        },
      });
      crashed.invokeAsync(ARN, EVENT);
      await new Promise((resolve) => setTimeout(resolve, 30));

      const onFailure = new LocalQueue('q');
      const fn = flaky(Infinity);
      const restarted = new LambdaService({ retryBaseMs: 1, journalFile });
      restarted.register({ name: 'local-notifications-SendEmail', handler: fn.handler, onFailure });
      restarted.resume();
      await restarted.idle();

      expect(calls).toBe(2);
      expect(fn.calls).toHaveLength(2);
      expect(records(onFailure)[0]?.requestContext.approximateInvokeCount).toBe(3);
    });
  });
});

describe('LambdaServer', () => {
  let service: LambdaService;
  let server: LambdaServer;
  let client: LambdaClient;
  const invoked: unknown[] = [];

  beforeAll(async () => {
    service = new LambdaService({ retryBaseMs: 1 });
    service.register({ name: 'local-orders-GetOrder', handler: async (event) => ({ statusCode: 200, body: JSON.stringify(event) }) });
    service.register({
      name: 'local-notifications-SendEmail',
      handler: async (event) => {
        invoked.push(event);
        throw new RangeError('no such template');
      },
      onFailure: new LocalQueue('q'),
    });
    server = await new LambdaServer(service).start();
    client = new LambdaClient({ endpoint: server.url, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  });
  afterAll(async () => {
    client.destroy();
    await server.stop();
  });

  const invoke = (FunctionName: string, InvocationType?: 'RequestResponse' | 'Event' | 'DryRun', payload: unknown = EVENT) =>
    client.send(new InvokeCommand({ FunctionName, ...(InvocationType ? { InvocationType } : {}), Payload: Buffer.from(JSON.stringify(payload)) }));
  const payloadOf = (bytes: Uint8Array | undefined) => JSON.parse(Buffer.from(bytes ?? []).toString('utf8')) as unknown;

  it('answers RequestResponse with 200 and the function’s result, by name or ARN', async () => {
    const byName = await invoke('local-orders-GetOrder');
    const byArn = await invoke('arn:aws:lambda:eu-west-1:000000000000:function:local-orders-GetOrder', 'RequestResponse');

    expect(byName).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST' });
    expect(byName.FunctionError).toBeUndefined();
    expect(payloadOf(byName.Payload)).toEqual({ statusCode: 200, body: JSON.stringify(EVENT) });
    expect(payloadOf(byArn.Payload)).toEqual(payloadOf(byName.Payload));
  });

  it('answers a function error with 200, X-Amz-Function-Error Unhandled and the error payload', async () => {
    const response = await invoke('local-notifications-SendEmail');

    expect(response).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled' });
    expect(payloadOf(response.Payload)).toMatchObject({ errorType: 'RangeError', errorMessage: 'no such template', trace: expect.any(Array) });
  });

  it('answers Event with 202 and runs the function afterwards, with its retries', async () => {
    invoked.length = 0;

    const response = await invoke('local-notifications-SendEmail', 'Event', { n: 1 });
    await service.idle();

    // Accepted: no function error reaches the caller of an asynchronous invocation.
    expect(response).toMatchObject({ StatusCode: 202 });
    expect(response.FunctionError).toBeUndefined();
    expect(invoked).toEqual([{ n: 1 }, { n: 1 }, { n: 1 }]);
  });

  it('answers DryRun with 204 and an unknown function with ResourceNotFoundException (404)', async () => {
    const dryRun = await invoke('local-orders-GetOrder', 'DryRun');
    const missing = (await invoke('arn:aws:lambda:eu-west-1:000000000000:function:nope', 'Event').catch((e: unknown) => e)) as Error;

    expect(dryRun.StatusCode).toBe(204);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(missing).toMatchObject({ message: 'Function not found: arn:aws:lambda:eu-west-1:000000000000:function:nope', $metadata: { httpStatusCode: 404 } });
  });
});
