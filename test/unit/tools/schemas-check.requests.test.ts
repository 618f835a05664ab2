import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CATALOG_DIR, EventCatalog } from '../../../model';
import { checkAgainst, describeFailure, type GateFailure } from '../../../tools/schemas-check';

const CREATE_ORDER_V1 = 'orders/requests/CreateOrder.v1.json';

/** The parts of CreateOrder v1 the edits below change, as the catalog file has them. */
interface CreateOrderV1 {
  [keyword: string]: unknown;
  properties: {
    [field: string]: unknown;
    customerId: { [keyword: string]: unknown; maxLength: number };
    quantity: { [keyword: string]: unknown; maximum: number };
  };
}

/**
 * A git repository of its own holding a copy of the real catalog, committed as the base revision, so a test can
 * change the base as well as the working tree and the gate reads neither the project's history nor its edits.
 */
class CatalogRepo {
  readonly root = mkdtempSync(join(tmpdir(), 'eventflow-gate-'));

  constructor() {
    cpSync(CATALOG_DIR, join(this.root, 'catalog'), { recursive: true });
    this.git('init', '--quiet');
    this.commit('the base');
  }

  read(file: string): Record<string, unknown> {
    return JSON.parse(readFileSync(join(this.root, 'catalog', file), 'utf8')) as Record<string, unknown>;
  }

  write(file: string, content: unknown): void {
    mkdirSync(dirname(join(this.root, 'catalog', file)), { recursive: true });
    writeFileSync(join(this.root, 'catalog', file), JSON.stringify(content, null, 2));
  }

  remove(file: string): void {
    rmSync(join(this.root, 'catalog', file));
  }

  /** Makes the working tree the new base revision, HEAD. */
  commit(message: string): void {
    this.git('add', '--all');
    // No identity, signing or hooks from the machine's git configuration: the fixture commits the same everywhere.
    this.git('-c', 'user.name=eventflow-test', '-c', 'user.email=test@eventflow.invalid', '-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', 'commit', '--quiet', '-m', message);
  }

  /** What the gate finds between the base and the working tree, with what it prints for each failure. */
  async gate(): Promise<{ failures: GateFailure[]; messages: string[] }> {
    const catalog = EventCatalog.load(join(this.root, 'catalog'), { compileSchemas: false });
    const failures = await checkAgainst('HEAD', catalog, this.root);
    return { failures, messages: failures.map((failure) => describeFailure(failure, 'HEAD', catalog)) };
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  private git(...args: string[]): void {
    execFileSync('git', args, { cwd: this.root, stdio: 'ignore', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_INDEX_FILE: undefined } });
  }
}

describe('schemas:check', () => {
  describe('request contracts', () => {
    let repo: CatalogRepo;
    const createOrderV1 = () => repo.read(CREATE_ORDER_V1) as CreateOrderV1;

    beforeEach(() => (repo = new CatalogRepo()));
    afterEach(() => repo.dispose());

    it('passes the catalog as committed at the base', async () => {
      // Act
      const { failures } = await repo.gate();

      // Assert
      expect(failures).toEqual([]);
    });

    it('fails a lower maxLength in CreateOrder v1, naming the file, the path and the version to add', async () => {
      // Arrange
      const schema = createOrderV1();
      schema.properties.customerId.maxLength = 32;
      repo.write(CREATE_ORDER_V1, schema);

      // Act
      const { failures, messages } = await repo.gate();

      // Assert
      const change = '$.customerId: maxLength 64 became 32: rejects requests the old version accepted (clients built to it now get a 400)';
      expect(failures.map((failure) => [failure.file, failure.changes.map((c) => `${c.path}: ${c.change}`)])).toEqual([[CREATE_ORDER_V1, [change]]]);
      expect(messages[0]?.split('\n')).toEqual([
        'CreateOrder request v1 (catalog/orders/requests/CreateOrder.v1.json) as it is now breaks clients of CreateOrder request v1 as it was at HEAD:',
        `  ${change}`,
        'Restore CreateOrder request v1 as it was and add the change as a new version, catalog/orders/requests/CreateOrder.v2.json: the API serves the newest (README: "Request contracts").',
      ]);
    });

    it('fails a higher maximum the other way: the action behind the route was built to the old bound', async () => {
      // Arrange
      const schema = createOrderV1();
      schema.properties.quantity.maximum = 5000;
      repo.write(CREATE_ORDER_V1, schema);

      // Act
      const { failures } = await repo.gate();

      // Assert
      expect(failures.flatMap((failure) => failure.changes.map((c) => `${failure.file} ${c.path}: ${c.change}`))).toEqual([
        `${CREATE_ORDER_V1} $.quantity: maximum 1000 became 5000: admits requests the old version refused, which the action behind it was not built for`,
      ]);
    });

    it('fails a new optional field, which the closed body refused before', async () => {
      // Arrange
      const schema = createOrderV1();
      schema.properties.note = { type: 'string' };
      repo.write(CREATE_ORDER_V1, schema);

      // Act
      const { failures } = await repo.gate();

      // Assert
      expect(failures.flatMap((failure) => failure.changes.map((c) => `${c.path}: ${c.change.split(':')[0]}`))).toEqual(['$.note: new field']);
    });

    it('passes a change to documentation only (description, title, examples)', async () => {
      // Arrange
      const schema = createOrderV1();
      schema.description = 'Body of POST /orders, reworded.';
      schema.title = 'CreateOrder v1';
      schema.examples = [{ customerId: 'c-1', productId: 'p-1', quantity: 2 }];
      schema.properties.customerId.description = 'The customer placing the order.';
      repo.write(CREATE_ORDER_V1, schema);

      // Act
      const { failures } = await repo.gate();

      // Assert
      expect(failures).toEqual([]);
    });

    it('passes a new v2 file, even a tighter one: nothing at the base holds it', async () => {
      // Arrange
      const v2 = createOrderV1();
      v2.properties.customerId.maxLength = 32;
      repo.write('orders/requests/CreateOrder.v2.json', v2);

      // Act
      const { failures } = await repo.gate();

      // Assert
      expect(failures).toEqual([]);
    });

    it('fails when a request version that existed at the base is gone', async () => {
      // Arrange
      repo.remove(CREATE_ORDER_V1);

      // Act
      const { failures, messages } = await repo.gate();

      // Assert
      expect(failures).toEqual([{ file: CREATE_ORDER_V1, changes: [], deleted: true }]);
      expect(messages[0]?.split('\n')).toEqual([
        "catalog/orders/requests/CreateOrder.v1.json existed at HEAD and is gone: a published request version is never deleted (it records what clients were told the API accepts, and an action's versions run 1, 2, 3… without gaps).",
        'Restore it; to change the body, add catalog/orders/requests/CreateOrder.v2.json, which the API then serves (README: "Request contracts").',
      ]);
    });

    it('reports what json-schema-diff finds where the rules name nothing: a schema for other fields, tightened', async () => {
      // Arrange: the rules compare `additionalProperties: false` only, so a base with a schema there shows the cross-check.
      const base = createOrderV1();
      base.properties.labels = { type: 'object', additionalProperties: { type: 'string', maxLength: 8 } };
      repo.write(CREATE_ORDER_V1, base);
      repo.commit('labels');
      const schema = structuredClone(base);
      schema.properties.labels = { type: 'object', additionalProperties: { type: 'string', maxLength: 4 } };
      repo.write(CREATE_ORDER_V1, schema);

      // Act
      const { failures } = await repo.gate();

      // Assert
      expect(failures.flatMap((failure) => failure.changes.map((c) => `${failure.file} ${c.path}: ${c.change.split(',')[0]}`))).toEqual([
        `${CREATE_ORDER_V1} $: json-schema-diff: now rejects documents the old version accepted`,
      ]);
    });

    it('still holds the events: a breaking event edit fails next to an unchanged request contract', async () => {
      // Arrange
      const schema = repo.read('payment/PaymentMade.v1.json') as { required: string[] };
      repo.write('payment/PaymentMade.v1.json', { ...schema, required: schema.required.filter((field) => field !== 'currency') });

      // Act
      const { failures } = await repo.gate();

      // Assert
      expect(failures.map((failure) => failure.file)).toEqual(['payment/PaymentMade.v1.json']);
    });
  });
});
