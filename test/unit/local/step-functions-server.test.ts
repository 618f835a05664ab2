import { DescribeExecutionCommand, ListExecutionsCommand, RedriveExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrderSystem } from '../../../model';
import { LocalSagaRunner, type LocalTask, type SagaPutEventsEntry } from '../../../local/saga-runner';
import { StepFunctionsServer } from '../../../local/step-functions-server';

// The saga's real ASL on the local executor, with in-memory tasks: what RedriveExecution, ListExecutions and a
// restart do to an execution, through the SDK, as the AWS API reference describes them:
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_ListExecutions.html
const app = loadOrderSystem();
const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:eventflow-test-order-saga';
const OUTCOMES: Record<string, string> = {
  'inventory.ReserveItem': 'ItemReserved',
  'inventory.DescribeItem': 'ItemDescribed',
  'customer.DescribeCustomer': 'CustomerDescribed',
  'delivery.EstimateDelivery': 'DeliveryEstimated',
  'payment.MakePayment': 'PaymentMade',
  'inventory.RemoveItem': 'ItemRemoved',
  'delivery.StartDelivery': 'DeliveryStarted',
  'payment.RefundPayment': 'PaymentRefunded',
  'inventory.ReleaseItem': 'ItemReleased',
};

/** In-memory tasks that answer each step's usual fact, count their calls, and can be made to fail or hang. */
class Tasks {
  readonly calls: Record<string, number> = {};
  readonly published: string[] = [];
  readonly failing = new Set<string>();
  readonly hanging = new Set<string>();
  /** Lets hanging calls end (after the test is done with them), so no task timer outlives the test. */
  release: () => void = () => undefined;
  private readonly released = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  readonly outcomes: Record<string, string> = { ...OUTCOMES };
  failPublishOf?: string;

  runner(): LocalSagaRunner {
    const tasks: Record<string, LocalTask> = {};
    for (const id of Object.keys(OUTCOMES)) {
      tasks[id] = async () => {
        this.calls[id] = (this.calls[id] ?? 0) + 1;
        if (this.hanging.has(id)) await this.released;
        if (this.failing.has(id)) throw Object.assign(new Error(`${id} is down`), { name: 'TransientStepError' });
        const outcome = this.outcomes[id] as string;
        return { outcome, data: { paymentId: 'payment-1', deliveryId: 'delivery-1' }, entries: [{ EventBusName: 'b', Source: 'eventflow.test', DetailType: outcome, Detail: {} }] };
      };
    }
    return new LocalSagaRunner({
      app,
      tasks,
      eventBusName: 'eventflow-test',
      retryIntervalMs: 1,
      putEvents: async (entries: readonly SagaPutEventsEntry[]) => {
        if (entries.some((entry) => entry.DetailType === this.failPublishOf)) throw Object.assign(new Error('PutEvents failed'), { name: 'EventBridge.FailedEntry' });
        this.published.push(...entries.map((entry) => entry.DetailType));
        return entries.map((_, index) => `event-${index}`);
      },
    });
  }
}

const input = (orderId: string) => JSON.stringify({ order: { orderId, customerId: 'c', productId: 'p', quantity: 1 }, cause: { correlationId: 'corr', idempotencyKey: `key-${orderId}` } });

describe('StepFunctionsServer', () => {
  let dir: string;
  let server: StepFunctionsServer | undefined;
  let client: SFNClient;

  const start = async (tasks: Tasks): Promise<StepFunctionsServer> => {
    server = await new StepFunctionsServer(STATE_MACHINE_ARN, tasks.runner(), { dir }).start();
    client = new SFNClient({ endpoint: server.url, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    return server;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'eventflow-sfn-'));
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    client?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('RedriveExecution', () => {
    it('resumes a compensation that failed after its retries at that state, without running the done steps again', async () => {
      // Arrange: an unknown customer is compensated by ReleaseItem, which is down.
      const tasks = new Tasks();
      tasks.outcomes['customer.DescribeCustomer'] = 'ErrorCustomerDescribed';
      tasks.failing.add('inventory.ReleaseItem');
      const system = await start(tasks);
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: 'order-1', input: input('order-1') }));
      await system.idle();

      // Act: the operator finds the failed execution, mends the dependency and redrives it.
      const failed = await client.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN, statusFilter: 'FAILED' }));
      const before = await client.send(new DescribeExecutionCommand({ executionArn }));
      tasks.failing.clear();
      const callsBefore = { ...tasks.calls };
      await client.send(new RedriveExecutionCommand({ executionArn }));
      await system.idle();
      const after = await client.send(new DescribeExecutionCommand({ executionArn }));

      // Assert
      expect(failed.executions?.map((execution) => execution.name)).toEqual(['order-1']);
      expect(before).toMatchObject({ status: 'FAILED', error: 'TransientStepError', redriveStatus: 'REDRIVABLE', redriveCount: 0 });
      expect(callsBefore['inventory.ReleaseItem']).toBe(7); // the first attempt and 6 retries
      expect(after).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1, redriveStatus: 'NOT_REDRIVABLE' });
      expect(tasks.calls['inventory.ReserveItem']).toBe(1);
      expect(tasks.calls['customer.DescribeCustomer']).toBe(1);
      expect(tasks.calls['inventory.ReleaseItem']).toBe(8);
      expect(tasks.published.filter((type) => type === 'OrderCancelled')).toHaveLength(1);
    });

    it('republishes an outcome that could not be published, at the state that failed', async () => {
      // Arrange
      const tasks = new Tasks();
      tasks.failPublishOf = 'OrderCompleted';
      const system = await start(tasks);
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: 'order-2', input: input('order-2') }));
      await system.idle();
      const failed = await client.send(new DescribeExecutionCommand({ executionArn }));

      // Act
      delete tasks.failPublishOf;
      await client.send(new RedriveExecutionCommand({ executionArn }));
      await system.idle();

      // Assert
      expect(failed).toMatchObject({ status: 'FAILED', error: 'EventBridge.FailedEntry' });
      expect((await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('SUCCEEDED');
      expect(tasks.published.filter((type) => type === 'OrderCompleted')).toHaveLength(1);
      expect(tasks.calls['delivery.StartDelivery']).toBe(1);
    });

    it('refuses what AWS refuses: a running or succeeded execution, an unknown one', async () => {
      // Arrange
      const tasks = new Tasks();
      const system = await start(tasks);
      const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: 'order-3', input: input('order-3') }));
      await system.idle();

      // Act
      const succeeded = await client.send(new RedriveExecutionCommand({ executionArn })).catch((error: Error) => error);
      const unknown = await client.send(new RedriveExecutionCommand({ executionArn: `${executionArn}-x` })).catch((error: Error) => error);

      // Assert
      expect(succeeded).toMatchObject({ name: 'ExecutionNotRedrivable' });
      expect(unknown).toMatchObject({ name: 'ExecutionDoesNotExist' });
    });
  });

  describe('a restart', () => {
    it('resumes an execution that was running at the state it had entered, and keeps failed ones redrivable', async () => {
      // Arrange: MakePayment never answers, as in a process that died while it ran.
      const first = new Tasks();
      first.hanging.add('payment.MakePayment');
      const crashed = await start(first);
      await client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: 'order-4', input: input('order-4') }));
      while (first.calls['payment.MakePayment'] === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
      client.destroy();
      await crashed.kill();
      first.release();

      // Act: a new process on the same directory.
      const second = new Tasks();
      const restarted = await start(second);
      const resumed = restarted.resumeInterrupted();
      await restarted.idle();
      const execution = await client.send(new DescribeExecutionCommand({ executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:order-4` }));

      // Assert
      expect(resumed).toBe(1);
      expect(execution.status).toBe('SUCCEEDED');
      expect(second.calls['inventory.ReserveItem']).toBeUndefined();
      expect(second.calls['payment.MakePayment']).toBe(1);
      expect(second.published).toContain('OrderCompleted');
    });
  });

  describe('StartExecution and ListExecutions', () => {
    it('refuses an execution name AWS refuses, and lists newest first with pages', async () => {
      // Arrange
      const tasks = new Tasks();
      const system = await start(tasks);
      for (const name of ['a-1', 'a-2', 'a-3']) {
        await client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name, input: input(name) }));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await system.idle();

      // Act
      const invalid = await client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: 'has space', input: '{}' })).catch((error: Error) => error);
      const page1 = await client.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN, maxResults: 2 }));
      const page2 = await client.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN, maxResults: 2, nextToken: page1.nextToken }));

      // Assert
      expect(invalid).toMatchObject({ name: 'InvalidName' });
      expect(page1.executions?.map((execution) => execution.name)).toEqual(['a-3', 'a-2']);
      expect(page2.executions?.map((execution) => execution.name)).toEqual(['a-1']);
      expect(page2.nextToken).toBeUndefined();
    });
  });
});
