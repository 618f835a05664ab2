import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { IDEMPOTENCY_TABLE, INVENTORY_TABLE, RESERVATIONS_TABLE } from '../../model/tables';
import { sharedDynamo, type SagaOrder, type SagaTaskOutput } from '../../functions/shared';
import { STOCK_LEDGER_DEFAULTS } from '../../functions/inventory/stock-ledger';
import type { Product, Reservation } from '../../functions/inventory/stock';
import { SagaHarness } from '../helpers/saga-harness';

/**
 * The reservation steps against dynalite, called as the saga calls them. A replay is the same step under another step
 * key, or after its idempotency record is gone: what a crash after the step's write (before Powertools recorded the
 * result) leaves behind. Either way only the reservation's state can tell the step what was done.
 */
describe('inventory reservations (real handlers, dynalite)', () => {
  let saga: SagaHarness;
  let orderNumber = 0;
  const newOrder = (productId = 'product-1', quantity = 2): SagaOrder => ({ orderId: `inventory-order-${++orderNumber}`, customerId: 'customer-1', productId, quantity });
  const stock = async (productId = 'product-1') => (await saga.item<Product>(INVENTORY_TABLE, { productId }))!;
  const counters = ({ available, reserved, shipped }: Product) => ({ available, reserved, shipped });
  const reservation = (orderId: string) => saga.item<Reservation>(RESERVATIONS_TABLE, { orderId });
  const step = (action: 'ReserveItem' | 'RemoveItem' | 'ReleaseItem', order: SagaOrder, attempt = 'first') =>
    saga.handlers[`inventory.${action}`]!({
      order,
      cause: { correlationId: `correlation-${order.orderId}`, idempotencyKey: `created-${order.orderId}` },
      stepKey: `created-${order.orderId}:${action}:${attempt}`,
    }) as Promise<SagaTaskOutput>;
  /** What a crash between the step's write and Powertools' record leaves: the write, and no record of it. */
  const forgetRecords = async (action: string) => {
    const table = saga.dynamo.tableName(IDEMPOTENCY_TABLE);
    const { Items = [] } = await saga.documents.send(new ScanCommand({ TableName: table }));
    for (const { id } of Items) if (String(id).startsWith(`inventory.${action}#`)) await saga.documents.send(new DeleteCommand({ TableName: table, Key: { id } }));
  };

  beforeAll(async () => (saga = await new SagaHarness().start()));
  afterAll(() => saga.stop());
  afterEach(() => jest.restoreAllMocks());

  describe('ReserveItem', () => {
    it('answers ItemReserved to a replay and reserves once', async () => {
      // Arrange
      const order = newOrder();
      const before = await stock();

      // Act
      const first = await step('ReserveItem', order);
      const replay = await step('ReserveItem', order, 'replay');

      // Assert
      expect([first.outcome, replay.outcome]).toEqual(['ItemReserved', 'ItemReserved']);
      expect(replay.data).toEqual(first.data);
      expect(counters(await stock())).toEqual({ available: before.available - 2, reserved: before.reserved + 2, shipped: before.shipped });
      expect(await reservation(order.orderId)).toMatchObject({ productId: 'product-1', quantity: 2, state: 'RESERVED', reservationId: `reservation-${order.orderId}` });
    });

    it('gives the last unit to exactly one of several orders racing for it', async () => {
      // Arrange
      const orders = Array.from({ length: 5 }, () => newOrder('product-last-one', 1));

      // Act
      const results = await Promise.all(orders.map((order) => step('ReserveItem', order)));

      // Assert
      expect(results.map((result) => result.outcome).sort()).toEqual(['ItemNotAvailable', 'ItemNotAvailable', 'ItemNotAvailable', 'ItemNotAvailable', 'ItemReserved']);
      expect(results.filter((result) => result.outcome === 'ItemNotAvailable').map((result) => result.data?.available)).toEqual([0, 0, 0, 0]);
      expect(counters(await stock('product-last-one'))).toEqual({ available: 0, reserved: 1, shipped: 0 });
      const made = await Promise.all(orders.map((order) => reservation(order.orderId)));
      expect(made.filter(Boolean)).toHaveLength(1);
    });

    it('reserves once when the same order is reserved by concurrent invocations', async () => {
      // Arrange
      const order = newOrder('product-1', 4);
      const before = await stock();

      // Act
      const results = await Promise.all(['a', 'b', 'c'].map((attempt) => step('ReserveItem', order, attempt)));

      // Assert
      expect(results.map((result) => result.outcome)).toEqual(['ItemReserved', 'ItemReserved', 'ItemReserved']);
      expect(counters(await stock())).toEqual({ available: before.available - 4, reserved: before.reserved + 4, shipped: before.shipped });
    });
  });

  describe('RemoveItem', () => {
    it('answers ItemRemoved to a replay after its transaction went through, and ships once', async () => {
      // Arrange
      const order = newOrder();
      const before = await stock();
      await step('ReserveItem', order);

      // Act
      const first = await step('RemoveItem', order);
      await forgetRecords('RemoveItem');
      const replay = await step('RemoveItem', order);

      // Assert
      expect([first.outcome, replay.outcome]).toEqual(['ItemRemoved', 'ItemRemoved']);
      expect(replay.data).toEqual(first.data);
      expect(counters(await stock())).toEqual({ available: before.available - 2, reserved: before.reserved, shipped: before.shipped + 2 });
      expect(await reservation(order.orderId)).toMatchObject({ state: 'REMOVED', removedAt: expect.any(String) });
    });

    it('ships once when concurrent invocations remove the same reservation', async () => {
      // Arrange
      const order = newOrder();
      await step('ReserveItem', order);
      const before = await stock();

      // Act
      const results = await Promise.all(['a', 'b', 'c'].map((attempt) => step('RemoveItem', order, attempt)));

      // Assert
      expect(results.map((result) => result.outcome)).toEqual(['ItemRemoved', 'ItemRemoved', 'ItemRemoved']);
      expect(counters(await stock())).toEqual({ available: before.available, reserved: before.reserved - 2, shipped: before.shipped + 2 });
    });

    it('reports ErrorItemUnreserved for a released reservation or none, and moves nothing', async () => {
      // Arrange
      const released = newOrder();
      await step('ReserveItem', released);
      await step('ReleaseItem', released);
      const never = newOrder();
      const before = await stock();

      // Act
      const results = await Promise.all([step('RemoveItem', released), step('RemoveItem', never)]);

      // Assert
      expect(results.map((result) => result.outcome)).toEqual(['ErrorItemUnreserved', 'ErrorItemUnreserved']);
      expect(results.map((result) => result.data?.reason)).toEqual([expect.stringContaining('released'), 'no reservation for this order']);
      expect(counters(await stock())).toEqual(counters(before));
      expect(await reservation(never.orderId)).toBeUndefined();
    });
  });

  describe('ReleaseItem', () => {
    it('answers ItemReleased to a replay after it released, and releases once', async () => {
      // Arrange
      const order = newOrder('product-1', 3);
      const before = await stock();
      await step('ReserveItem', order);

      // Act
      const first = await step('ReleaseItem', order);
      await forgetRecords('ReleaseItem');
      const replay = await step('ReleaseItem', order);

      // Assert
      expect([first.outcome, replay.outcome]).toEqual(['ItemReleased', 'ItemReleased']);
      expect(replay.data).toEqual(first.data);
      expect(counters(await stock())).toEqual(counters(before));
      expect(await reservation(order.orderId)).toMatchObject({ state: 'RELEASED', releasedAt: expect.any(String) });
    });

    it('puts units that were removed back on the shelf, once', async () => {
      // Arrange
      const order = newOrder('product-1', 3);
      const before = await stock();
      await step('ReserveItem', order);
      await step('RemoveItem', order);

      // Act
      const results = await Promise.all(['a', 'b'].map((attempt) => step('ReleaseItem', order, attempt)));

      // Assert
      expect(results.map((result) => result.outcome)).toEqual(['ItemReleased', 'ItemReleased']);
      expect(counters(await stock())).toEqual(counters(before));
      expect(await reservation(order.orderId)).toMatchObject({ state: 'RELEASED', removedAt: expect.any(String), releasedAt: expect.any(String) });
    });

    it('decides again when the reservation moves under it: removal and release racing end released, stock whole', async () => {
      // Arrange
      const order = newOrder();
      const before = await stock();
      await step('ReserveItem', order);

      // Act
      const [removal, release] = await Promise.all([step('RemoveItem', order), step('ReleaseItem', order)]);

      // Assert
      expect(release.outcome).toBe('ItemReleased');
      expect(['ItemRemoved', 'ErrorItemUnreserved']).toContain(removal.outcome);
      expect(counters(await stock())).toEqual(counters(before));
      expect(await reservation(order.orderId)).toMatchObject({ state: 'RELEASED' });
    });

    it('has nothing to release for an order that reserved nothing', async () => {
      // Arrange
      const order = newOrder('product-sold-out', 1);
      expect((await step('ReserveItem', order)).outcome).toBe('ItemNotAvailable');

      // Act
      const result = await step('ReleaseItem', order);

      // Assert
      expect(result).toEqual({ outcome: 'NothingToRelease', data: null, entries: [] });
      expect(counters(await stock('product-sold-out'))).toEqual({ available: 0, reserved: 0, shipped: 0 });
    });
  });

  describe('contention', () => {
    /** DynamoDB cancels a transaction that meets another on an item (the local emulator queues them instead): the next `count` are cancelled so. */
    const conflictNext = (count: number) => {
      const { documents } = sharedDynamo();
      const send = documents.send.bind(documents) as (command: unknown) => Promise<unknown>;
      let left = count;
      return jest.spyOn(documents, 'send').mockImplementation(((command: unknown) => {
        if (command instanceof TransactWriteCommand && left-- > 0) {
          const reasons = [{ Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }, { Code: 'None' }];
          return Promise.reject(new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: reasons }));
        }
        return send(command);
      }) as unknown as typeof documents.send);
    };

    it('tries a transaction cancelled by a concurrent one again, and reserves once', async () => {
      // Arrange
      const order = newOrder();
      const before = await stock();
      const spy = conflictNext(2);

      // Act
      const result = await step('ReserveItem', order);

      // Assert
      expect(result.outcome).toBe('ItemReserved');
      expect(spy.mock.calls.filter(([command]) => command instanceof TransactWriteCommand)).toHaveLength(3);
      spy.mockRestore();
      expect(counters(await stock())).toEqual({ available: before.available - 2, reserved: before.reserved + 2, shipped: before.shipped });
    });

    it(`hands the step back to the saga's retry after ${STOCK_LEDGER_DEFAULTS.attempts} conflicts in a row, with nothing moved`, async () => {
      // Arrange
      const order = newOrder();
      await step('ReserveItem', order);
      const before = await stock();
      conflictNext(STOCK_LEDGER_DEFAULTS.attempts);

      // Act
      const removal = step('RemoveItem', order);

      // Assert
      await expect(removal).rejects.toMatchObject({ name: 'TransientStepError', message: expect.stringContaining(`met concurrent ones ${STOCK_LEDGER_DEFAULTS.attempts} times in a row`) });
      jest.restoreAllMocks();
      expect(counters(await stock())).toEqual(counters(before));
      expect(await reservation(order.orderId)).toMatchObject({ state: 'RESERVED' });
      expect((await step('RemoveItem', order, 'saga-retry')).outcome).toBe('ItemRemoved');
    });
  });
});
