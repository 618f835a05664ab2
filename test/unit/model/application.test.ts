import { Application, ModelValidationError, ORDER_SYSTEM, loadCatalog, loadOrderSystem, type ApplicationDefinition } from '../../../model';
import { renderDesignTable } from '../../../tools/design-table';
import { thrownBy } from '../../helpers/thrown';

/** The order system with one service's actions replaced, for breaking the model on purpose. */
function withActions(service: string, actions: ApplicationDefinition['services'][string]['actions']): ApplicationDefinition {
  const services: ApplicationDefinition['services'] = ORDER_SYSTEM.services;
  const current = services[service]!;
  return { ...ORDER_SYSTEM, services: { ...ORDER_SYSTEM.services, [service]: { ...current, actions: { ...current.actions, ...actions } } } };
}

function loadError(definition: ApplicationDefinition): ModelValidationError {
  return thrownBy(() => Application.load(definition, loadCatalog()), ModelValidationError);
}

describe('Application', () => {
  describe('the order system', () => {
    it('resolves every row of the seed design table', () => {
      const app = loadOrderSystem();
      const rows = app.actions.map((a) => `${a.inputs.map((i) => i.name).join('+') || a.trigger.kind} -> ${a.id} -> ${a.emits.join('|')}`);

      expect(rows).toEqual(
        expect.arrayContaining([
          'api -> orders.CreateOrder -> OrderCreated',
          'OrderCreated -> inventory.ReserveItem -> ItemReserved|ItemNotAvailable',
          'ItemReserved -> inventory.DescribeItem -> ItemDescribed',
          'ItemDescribed -> customer.DescribeCustomer -> CustomerDescribed|ErrorCustomerDescribed',
          'CustomerDescribed -> delivery.EstimateDelivery -> DeliveryEstimated',
          'DeliveryEstimated -> payment.MakePayment -> PaymentMade|PaymentFailed',
          'PaymentMade -> inventory.RemoveItem -> ItemRemoved|ErrorItemUnreserved',
          'ItemRemoved -> delivery.StartDelivery -> DeliveryStarted',
          'ItemNotAvailable+PaymentMade+PaymentFailed -> notifications.SendEmail -> EmailSent',
        ]),
      );
    });

    it('tells orchestrated steps from choreographed subscriptions', () => {
      const app = loadOrderSystem();

      expect(app.action('inventory.ReserveItem').style).toBe('orchestrated');
      expect(app.action('notifications.SendEmail').style).toBe('choreographed');
      expect(app.action('orders.CreateOrder').style).toBe('api');
      expect(app.action('orders.StartOrderSaga').trigger).toMatchObject({ kind: 'subscription', target: 'lambda' });
      expect(app.subscriptions.map((s) => s.id).sort()).toEqual(['delivery.NotifyDeliveryProvider', 'notifications.SendEmail', 'orders.RecordOrderOutcome', 'orders.StartOrderSaga'].sort());
    });

    it('derives each subscription’s pattern from the catalog, pinned to the consumed version', () => {
      const app = loadOrderSystem();
      const sendEmail = app.subscriptions.find((s) => s.id === 'notifications.SendEmail')!;

      // SendEmail reads PaymentMade v2 and the others' v1: one branch per version, so it gets one copy of a double-published fact.
      expect(sendEmail.pattern).toEqual({
        $or: [
          { source: ['eventflow.inventory', 'eventflow.payment'], 'detail-type': ['ItemNotAvailable', 'PaymentFailed'], detail: { metadata: { version: [1] } } },
          { source: ['eventflow.payment'], 'detail-type': ['PaymentMade'], detail: { metadata: { version: [2] } } },
        ],
      });
    });

    it('has no action reading an event version past its ttl (the gate schemas:check runs in CI)', () => {
      expect(loadOrderSystem().retiredInputs(new Date())).toEqual([]);
    });

    it('renders the design table with one row per action', () => {
      const table = renderDesignTable(loadOrderSystem()).split('\n');

      expect(table[0]).toBe('| API (sync) | Input events | Service | Action | Output events | Style |');
      expect(table).toContain('| POST /orders |  | orders | CreateOrder | OrderCreated | api |');
      expect(table).toHaveLength(loadOrderSystem().actions.length + 2);
    });
  });

  describe('validation', () => {
    it('rejects an event consumed that has no schema, and one that no action emits', () => {
      const error = loadError(
        withActions('notifications', {
          SendEmail: { description: 'x', trigger: { kind: 'subscription', consumes: ['ParcelLost', 'PaymentRefunded', { event: 'PaymentMade', version: 3 }], target: 'lambda' }, emits: [] },
        }),
      );

      expect(error.message).toContain('services.notifications.actions.SendEmail: consumes ParcelLost, which has no schema in the catalog');
      expect(error.message).toContain('consumes PaymentMade v3, but the catalog has only v1, v2');
      expect(error.message).toContain('orphan schema: no action emits EmailSent');
    });

    it('rejects an emitted event without a schema or owned by another service', () => {
      const error = loadError(
        withActions('payment', {
          MakePayment: {
            description: 'x',
            trigger: { kind: 'saga-step', after: ['DeliveryEstimated'], compensation: false, publishOnly: false },
            emits: ['PaymentMade', 'PaymentFailed', 'PaymentCaptured', 'OrderCreated'],
          },
        }),
      );

      expect(error.message).toContain('services.payment.actions.MakePayment: emits PaymentCaptured, which has no schema in the catalog');
      expect(error.message).toContain('emits OrderCreated, but its schema is owned by orders (catalog/orders/OrderCreated.v1.json)');
    });

    it('rejects a consumed event no action emits', () => {
      const definition = withActions('payment', {
        RefundPayment: { description: 'x', trigger: { kind: 'saga-step', after: ['ErrorItemUnreserved'], compensation: true, publishOnly: false }, emits: [] },
      });

      const error = loadError(definition);

      expect(error.message).toContain('services.payment.actions.RefundPayment: a saga step must emit at least one fact');
      expect(error.message).toContain('orphan schema: no action emits PaymentRefunded');
    });

    it('rejects duplicate action names and duplicate routes, listing every problem', () => {
      const error = loadError(
        withActions('customer', {
          ReserveItem: { description: 'x', trigger: { kind: 'api', method: 'POST', path: '/orders' }, emits: [] },
        }),
      );

      expect(error.problems.map((p) => p.problem)).toEqual(
        expect.arrayContaining(['duplicate action name: services.inventory.actions.ReserveItem has it too', 'duplicate route POST /orders: services.orders.actions.CreateOrder serves it too']),
      );
    });
  });
});
