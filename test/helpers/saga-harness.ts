import { GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadOrderSystem, tableEnvVar, TABLES, type TableDefinition } from '../../model';
import { LocalSagaRunner, type LocalTask, type SagaPutEventsEntry } from '../../local/saga-runner';
import { sagaTaskActions } from '../../statemachines/order-saga';
import { handlerFile } from '../../functions/handlers';
import { startDynalite, type LocalDynamo } from './dynalite';
import { seedDemoData } from '../../local/tables';
import { lambdaContext } from '../../local/lambda-context';

const TABLE_PREFIX = 'saga';

/** An event the saga published, as EventBridge would deliver it. */
export interface PublishedFact {
  readonly 'detail-type': string;
  readonly source: string;
  readonly detail: { readonly metadata: Record<string, unknown>; readonly data: Record<string, unknown> };
}

/**
 * The saga wired to the real handlers against dynalite, with the catalog's demo data seeded and the
 * environment set as infra sets it. Published entries are recorded in order.
 */
export class SagaHarness {
  readonly published: PublishedFact[] = [];
  runner!: LocalSagaRunner;
  dynamo!: LocalDynamo;
  documents!: DynamoDBDocumentClient;
  readonly handlers: Record<string, LocalTask> = {};
  /** Wraps a handler, e.g. to inject transient failures; keyed by action id. */
  readonly wrappers: Record<string, (real: LocalTask) => LocalTask> = {};

  async start(): Promise<this> {
    this.dynamo = await startDynalite(TABLE_PREFIX);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: this.dynamo.endpoint,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      EVENT_BUS_NAME: 'eventflow-test',
      POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    });
    for (const table of TABLES) process.env[tableEnvVar(table)] = this.dynamo.tableName(table);
    this.documents = DynamoDBDocumentClient.from(this.dynamo.client);
    try {
      await this.wire();
    } catch (error) {
      await this.dynamo.stop();
      throw error;
    }
    return this;
  }

  private async wire(): Promise<void> {
    await this.seed();
    const actions = [...new Set(Object.values(sagaTaskActions()))];
    for (const actionId of actions) {
      const module = (await import(handlerFile(actionId))) as { handler: (input: unknown, context: unknown) => Promise<unknown> };
      const real: LocalTask = (input) => module.handler(input, lambdaContext(actionId));
      this.handlers[actionId] = (input) => (this.wrappers[actionId] ?? ((task) => task))(real)(input);
    }
    this.runner = new LocalSagaRunner({
      app: loadOrderSystem(),
      tasks: this.handlers,
      eventBusName: 'eventflow-test',
      retryIntervalMs: 0,
      putEvents: async (entries: readonly SagaPutEventsEntry[]) =>
        entries.map((entry) => {
          this.published.push({ source: entry.Source, 'detail-type': entry.DetailType, detail: entry.Detail as PublishedFact['detail'] });
          return `event-${this.published.length}`;
        }),
    });
  }

  async seed(): Promise<void> {
    await seedDemoData(this.dynamo.client, TABLE_PREFIX);
  }

  /** Runs one order through the saga, as StartOrderSaga would start it. */
  run(order: { orderId: string; customerId: string; productId: string; quantity: number }) {
    return this.runner.run(order.orderId, { order, cause: { correlationId: `correlation-${order.orderId}`, idempotencyKey: `created-${order.orderId}` } });
  }

  /** Every entry one order's saga published, in order: a double-published fact appears once per live version. */
  entriesOf(orderId: string): PublishedFact[] {
    return this.published.filter((fact) => fact.detail.data.orderId === orderId);
  }

  /**
   * The facts one order's saga published, in order, each once: the versions of a double-published fact share
   * their idempotency key (one fact told twice), and the newest version stands for it.
   */
  factsOf(orderId: string): PublishedFact[] {
    const byKey = new Map<unknown, PublishedFact>();
    for (const entry of this.entriesOf(orderId)) byKey.set(entry.detail.metadata.idempotencyKey, entry);
    return [...byKey.values()];
  }

  async item<T>(table: TableDefinition, key: Record<string, string>): Promise<T | undefined> {
    return (await this.documents.send(new GetCommand({ TableName: this.dynamo.tableName(table), Key: key }))).Item as T | undefined;
  }

  stop(): Promise<void> {
    return this.dynamo.stop();
  }
}
