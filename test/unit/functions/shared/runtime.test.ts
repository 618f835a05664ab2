import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { committed } from '../../../../functions/shared';

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ message: `Transaction cancelled [${codes.join(', ')}]`, $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

describe('committed', () => {
  it('reports a transaction that went through as committed', async () => {
    // Act
    const outcome = await committed(Promise.resolve({}));

    // Assert
    expect(outcome).toEqual({ committed: true });
  });

  it('reports a cancelled transaction with one reason per item, in request order', async () => {
    // Act
    const byCondition = await committed(Promise.reject(cancelled('ConditionalCheckFailed', 'None')));
    const byConflict = await committed(Promise.reject(cancelled('None', 'TransactionConflict')));

    // Assert
    expect(byCondition).toEqual({ committed: false, reasons: ['ConditionalCheckFailed', 'None'] });
    expect(byConflict).toEqual({ committed: false, reasons: ['None', 'TransactionConflict'] });
  });

  it('recognises a cancellation by its name, as it arrives from another copy of the SDK or a worker thread', async () => {
    // Arrange
    const error = Object.assign(new Error('Transaction cancelled'), { name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] });

    // Act
    const outcome = await committed(Promise.reject(error));

    // Assert
    expect(outcome).toEqual({ committed: false, reasons: ['ConditionalCheckFailed'] });
  });

  it('throws a cancellation no reading again can answer: throttling, validation, or no reasons at all', async () => {
    // Arrange
    const throttled = cancelled('None', 'ThrottlingError');
    const invalid = cancelled('ValidationError', 'None');
    const unexplained = cancelled();

    // Act / Assert
    await expect(committed(Promise.reject(throttled))).rejects.toBe(throttled);
    await expect(committed(Promise.reject(invalid))).rejects.toBe(invalid);
    await expect(committed(Promise.reject(unexplained))).rejects.toBe(unexplained);
  });

  it('throws any other failure, a single item’s failed condition included', async () => {
    // Arrange
    const conditional = new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    const network = new Error('socket hang up');

    // Act / Assert
    await expect(committed(Promise.reject(conditional))).rejects.toBe(conditional);
    await expect(committed(Promise.reject(network))).rejects.toBe(network);
  });
});

describe('createSagaTask with the action’s declared facts', () => {
  it('refuses a result stating a fact the action does not emit, naming both', async () => {
    const { createSagaTask, SagaInputError } = await import('../../../../functions/shared');
    const task = createSagaTask({
      name: 'delivery.EstimateDelivery',
      eventBusName: 'bus',
      idempotency: 'read-only',
      emits: ['DeliveryEstimated'],
      handler: async (input) => ({
        fact: { detailType: 'OrderCancelled', data: { orderId: input.order.orderId, customerId: 'c', reason: 'STEP_FAILED', cancelledAt: '2026-11-25T00:00:00Z' } as never },
      }),
    });

    const running = task({ order: { orderId: 'o-1', customerId: 'c', productId: 'p', quantity: 1 }, cause: { correlationId: 'corr', idempotencyKey: 'k' }, stepKey: 'k:EstimateDelivery' });

    await expect(running).rejects.toBeInstanceOf(SagaInputError);
    await expect(running).rejects.toThrow('delivery.EstimateDelivery stated OrderCancelled, which its action does not emit in the model (emits: DeliveryEstimated)');
  });
});

describe('sagaTaskFromEnv', () => {
  it('keeps its earlier one-call form, where the model’s emits are enforced at run time', async () => {
    process.env.EVENT_BUS_NAME = 'bus';
    const { sagaTaskFromEnv } = await import('../../../../functions/shared');
    const task = sagaTaskFromEnv('delivery.EstimateDelivery', async () => ({ fact: { detailType: 'ItemReleased', data: { orderId: 'o', productId: 'p', quantity: 1, reservationId: 'r' } } }), {
      readOnly: true,
    });

    await expect(task({ order: { orderId: 'o', customerId: 'c', productId: 'p', quantity: 1 }, cause: { correlationId: 'c', idempotencyKey: 'k' }, stepKey: 'k:EstimateDelivery' })).rejects.toThrow(
      'delivery.EstimateDelivery stated ItemReleased, which its action does not emit in the model (emits: DeliveryEstimated)',
    );
  });
});
