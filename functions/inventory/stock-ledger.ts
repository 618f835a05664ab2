import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { INVENTORY_TABLE, RESERVATIONS_TABLE } from '../../model/tables';
import { TransientStepError, committed, sharedDynamo, tableName, type TransactionOutcome } from '../shared';
import { UNITS_HELD_IN, reservationIdFor, type Product, type Reservation, type ReservationState } from './stock';
import { fullJitterDelay } from '../../model/limits';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The units an order holds: which product, how many. */
export interface HeldUnits {
  readonly orderId: string;
  readonly productId: string;
  readonly quantity: number;
}

/**
 * How long a step keeps trying when its transaction is cancelled by a concurrent one on the same product. DynamoDB
 * cancels, rather than queues, a transaction that meets another on an item, so a popular product sees this under
 * load; past the bound the step throws TransientStepError and the saga's own retry (with backoff) takes over.
 */
export const STOCK_LEDGER_DEFAULTS = {
  /** Transactions tried per invocation. */
  attempts: 5,
  /** Full-jitter backoff between them: a random wait up to base × 2^(attempt − 1). */
  baseDelayMs: 10,
} as const;

/**
 * The inventory's two tables as the reservation steps change them: a reservation and the product counters that hold
 * its units only ever change together, in one TransactWriteItems request, so a crash between any two requests leaves
 * both as they were or both moved, and every step can tell from the reservation's state what was already done.
 */
export class StockLedger {
  private readonly products = tableName(INVENTORY_TABLE);
  private readonly reservations = tableName(RESERVATIONS_TABLE);

  constructor(private readonly documents: DynamoDBDocumentClient = sharedDynamo().documents) {}

  /** The order's reservation, read strongly consistent: it decides what a step does next. */
  async reservation(orderId: string): Promise<Reservation | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.reservations, Key: { orderId }, ConsistentRead: true }));
    return Item as Reservation | undefined;
  }

  async product(productId: string): Promise<Product | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.products, Key: { productId }, ConsistentRead: true }));
    return Item as Product | undefined;
  }

  /**
   * Reserves the order's units: takes them off the shelf into `reserved` and records the reservation, on condition
   * that enough are available and the order has no reservation yet (one found means this was done before).
   */
  reserve(held: HeldUnits, now: Date = new Date()): Promise<TransactionOutcome> {
    const reservation: Reservation = { ...pick(held), reservationId: reservationIdFor(held.orderId), state: 'RESERVED', reservedAt: now.toISOString() };
    return this.withUnits(held, 'NONE', 'RESERVED', { Put: { TableName: this.reservations, Item: reservation, ConditionExpression: 'attribute_not_exists(orderId)' } });
  }

  /**
   * Moves the order's reservation from `from` to `to`, and its units from the counter that holds them in `from` to
   * the one for `to`, on condition that the reservation is still in `from` and that counter holds the units.
   */
  move(held: HeldUnits, from: ReservationState, to: ReservationState, now: Date = new Date()): Promise<TransactionOutcome> {
    return this.withUnits(held, from, to, {
      Update: {
        TableName: this.reservations,
        Key: { orderId: held.orderId },
        UpdateExpression: 'SET #state = :to, #at = :at',
        ConditionExpression: '#state = :from',
        ExpressionAttributeNames: { '#state': 'state', '#at': timeOf(to) },
        ExpressionAttributeValues: { ':from': from, ':to': to, ':at': now.toISOString() },
      },
    });
  }

  /** One transaction: the product's counters (item 0 of a cancellation's reasons), then the reservation (item 1). */
  private withUnits(held: HeldUnits, from: ReservationState | 'NONE', to: ReservationState, reservation: TransactItem): Promise<TransactionOutcome> {
    const product: TransactItem = {
      Update: {
        TableName: this.products,
        Key: { productId: held.productId },
        UpdateExpression: 'SET #from = #from - :quantity, #to = if_not_exists(#to, :zero) + :quantity',
        ConditionExpression: '#from >= :quantity',
        ExpressionAttributeNames: { '#from': UNITS_HELD_IN[from], '#to': UNITS_HELD_IN[to] },
        ExpressionAttributeValues: { ':quantity': held.quantity, ':zero': 0 },
      },
    };
    return committed(this.documents.send(new TransactWriteCommand({ TransactItems: [product, reservation] })));
  }

  /**
   * Waits before another attempt after a transaction met a concurrent one; throws TransientStepError once
   * `attempt` reaches the bound, so the saga retries the step later instead.
   */
  async afterConflict(step: string, held: HeldUnits, attempt: number): Promise<void> {
    if (attempt >= STOCK_LEDGER_DEFAULTS.attempts) {
      throw new TransientStepError(`${step}: transactions on ${held.productId} for ${held.orderId} met concurrent ones ${attempt} times in a row`);
    }
    await sleep(fullJitterDelay(STOCK_LEDGER_DEFAULTS.baseDelayMs, attempt));
  }
}

/** True when the product's condition cancelled the transaction: too little stock, or counters that disagree. */
export function productRefused(outcome: TransactionOutcome): boolean {
  return !outcome.committed && outcome.reasons[0] === 'ConditionalCheckFailed';
}

function pick({ orderId, productId, quantity }: HeldUnits): HeldUnits {
  return { orderId, productId, quantity };
}

function timeOf(state: ReservationState): 'reservedAt' | 'removedAt' | 'releasedAt' {
  return `${state.toLowerCase() as Lowercase<ReservationState>}At`;
}
