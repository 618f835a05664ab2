import type { ApiTrigger, ApplicationDefinition, EventSelector, SagaStepTrigger, SubscriptionTarget, SubscriptionTrigger } from './application';
import type { EventPattern } from './patterns';
import { CONTACTS_TABLE, CUSTOMERS_TABLE, DELIVERIES_TABLE, IDEMPOTENCY_TABLE, INVENTORY_TABLE, ORDERS_TABLE, PAYMENTS_TABLE, RESERVATIONS_TABLE } from './tables';

const api = (method: ApiTrigger['method'], path: string): ApiTrigger => ({ kind: 'api', method, path });

const sagaStep = (after: readonly EventSelector[], options: { compensation?: boolean; publishOnly?: boolean } = {}): SagaStepTrigger => ({
  kind: 'saga-step',
  after,
  compensation: options.compensation ?? false,
  publishOnly: options.publishOnly ?? false,
});

const subscribe = (consumes: readonly EventSelector[], target: SubscriptionTarget, filter?: EventPattern): SubscriptionTrigger => ({
  kind: 'subscription',
  consumes,
  target,
  ...(filter ? { filter } : {}),
});

const read = <T>(table: T) => ({ table, access: 'read' }) as const;
const write = <T>(table: T) => ({ table, access: 'write' }) as const;
const idempotent = write(IDEMPOTENCY_TABLE);
// The reservation steps change a reservation and its product's counters in one transaction; IAM authorizes each of
// its items as the UpdateItem or PutItem it is, so write access to both tables is what TransactWriteItems needs.
const stock = [write(INVENTORY_TABLE), write(RESERVATIONS_TABLE), idempotent];

/**
 * The order system's design table (the 2022 talk's, extended with the saga's compensations and the
 * choreographed side effects). Every rule pattern, saga task, function and doc table is derived from this.
 */
export const ORDER_SYSTEM = {
  name: 'eventflow',
  services: {
    orders: {
      description: 'Takes orders over HTTP, starts the saga for each, and keeps every order’s status view.',
      actions: {
        CreateOrder: {
          description: 'Validate the order, store it as PENDING and announce it.',
          trigger: api('POST', '/orders'),
          emits: ['OrderCreated'],
          needs: { tables: [write(ORDERS_TABLE)], publishes: true },
        },
        GetOrder: { description: 'Return an order with its status history.', trigger: api('GET', '/orders/{orderId}'), emits: [], needs: { tables: [read(ORDERS_TABLE)], readsSaga: true } },
        StartOrderSaga: {
          description: 'Choreography starts orchestration: each new order starts one saga execution named after the order, so a repeated OrderCreated cannot start a second.',
          trigger: subscribe(['OrderCreated'], 'lambda'),
          emits: [],
          needs: { tables: [idempotent], startsSaga: true },
        },
        CompleteOrder: {
          description: 'The saga’s last step: announce the order complete.',
          trigger: sagaStep(['DeliveryStarted'], { publishOnly: true }),
          emits: ['OrderCompleted'],
        },
        CancelOrder: {
          description: 'The saga’s last compensation: announce the order cancelled with its reason.',
          trigger: sagaStep(['ItemNotAvailable', 'ItemReleased', 'PaymentRefunded'], { compensation: true, publishOnly: true }),
          emits: ['OrderCancelled'],
        },
        RecordOrderOutcome: {
          description: 'Update the order’s status view from the saga’s outcome.',
          trigger: subscribe(['OrderCompleted', 'OrderCancelled'], 'lambda'),
          emits: [],
          needs: { tables: [write(ORDERS_TABLE), idempotent] },
        },
      },
    },
    inventory: {
      description: 'Owns stock: reserves, describes, removes and releases items.',
      actions: {
        ReserveItem: {
          description: 'Set stock aside for the order unless too little is available.',
          trigger: sagaStep(['OrderCreated']),
          emits: ['ItemReserved', 'ItemNotAvailable'],
          needs: { tables: stock },
        },
        DescribeItem: { description: 'Add the product’s name and price to the order.', trigger: sagaStep(['ItemReserved']), emits: ['ItemDescribed'], needs: { tables: [read(INVENTORY_TABLE)] } },
        RemoveItem: {
          description: 'Take the paid reservation out of stock for shipping.',
          trigger: sagaStep([{ event: 'PaymentMade', version: 2 }]),
          emits: ['ItemRemoved', 'ErrorItemUnreserved'],
          needs: { tables: stock },
        },
        ReleaseItem: {
          description: 'Compensation: give a reservation back to stock.',
          trigger: sagaStep(['ErrorCustomerDescribed', 'PaymentFailed', 'PaymentRefunded'], { compensation: true }),
          emits: ['ItemReleased'],
          needs: { tables: stock },
        },
      },
    },
    customer: {
      description: 'Owns customer records: who they are, where to ship, how they pay.',
      actions: {
        DescribeCustomer: {
          description: 'Add the customer’s address and payment token to the order, or report an unknown customer.',
          trigger: sagaStep(['ItemDescribed']),
          emits: ['CustomerDescribed', 'ErrorCustomerDescribed'],
          needs: { tables: [read(CUSTOMERS_TABLE)] },
        },
      },
    },
    delivery: {
      description: 'Quotes and starts deliveries; hands parcels to the external provider.',
      actions: {
        EstimateDelivery: { description: 'Quote a carrier, a cost and a date.', trigger: sagaStep(['CustomerDescribed']), emits: ['DeliveryEstimated'], needs: { tables: [] } },
        StartDelivery: { description: 'Book the parcel with the carrier.', trigger: sagaStep(['ItemRemoved']), emits: ['DeliveryStarted'], needs: { tables: [write(DELIVERIES_TABLE), idempotent] } },
        NotifyDeliveryProvider: {
          description: 'Send each started delivery to the external delivery provider through an API destination.',
          trigger: subscribe(['DeliveryStarted'], 'api-destination'),
          emits: [],
        },
      },
    },
    payment: {
      description: 'Charges and refunds through a payment provider.',
      actions: {
        MakePayment: {
          description: 'Charge the item total plus delivery; a decline is a business outcome, not an error.',
          trigger: sagaStep(['DeliveryEstimated']),
          emits: ['PaymentMade', 'PaymentFailed'],
          needs: { tables: [write(PAYMENTS_TABLE), idempotent] },
        },
        RefundPayment: {
          description: 'Compensation: return a payment that was made.',
          trigger: sagaStep(['ErrorItemUnreserved'], { compensation: true }),
          emits: ['PaymentRefunded'],
          needs: { tables: [write(PAYMENTS_TABLE), idempotent] },
        },
      },
    },
    notifications: {
      description: 'Keeps customers informed by e-mail; the saga does not know it exists.',
      actions: {
        SendEmail: {
          description: 'E-mail the customer when an item is not available, a payment is made or a payment fails.',
          // Migrated to PaymentMade v2 (itemized receipts) while v1 is still double-published.
          trigger: subscribe(['ItemNotAvailable', { event: 'PaymentMade', version: 2 }, 'PaymentFailed'], 'lambda'),
          emits: ['EmailSent'],
          needs: { tables: [read(CONTACTS_TABLE), idempotent], publishes: true, sendsEmail: true },
        },
      },
    },
  },
} as const satisfies ApplicationDefinition;

/** Every action id of the order system, as a type: `<service>.<Action>`. */
export type OrderSystemActionId = {
  [S in keyof (typeof ORDER_SYSTEM)['services']]: `${S & string}.${keyof (typeof ORDER_SYSTEM)['services'][S]['actions'] & string}`;
}[keyof (typeof ORDER_SYSTEM)['services']];

/** The events an action of the order system may state, as a type: its `emits` in the model. */
export type EmitsOf<A extends OrderSystemActionId> = A extends `${infer S}.${infer N}`
  ? S extends keyof (typeof ORDER_SYSTEM)['services']
    ? N extends keyof (typeof ORDER_SYSTEM)['services'][S]['actions']
      ? (typeof ORDER_SYSTEM)['services'][S]['actions'][N] extends { readonly emits: readonly (infer E)[] }
        ? E
        : never
      : never
    : never
  : never;
