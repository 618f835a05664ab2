import type { ReceivedDelivery } from '../delivery-sink';
import type { ReceivedEmail } from '../email-sink';
import type { ProviderRecord } from '../payment-sink';
import type { OrderView } from '../../functions/orders/order';

/**
 * What a user of the system can observe after a run, and nothing else: the orders as GET /orders shows them, the
 * bus archive, what the outside systems (SES, the carrier, the card processor) received, the tables, and what is
 * left in the dead-letter queues. The chaos run gathers it; a two-region run or a faster bus can gather the
 * same and run the same checks.
 */
export interface Observation {
  /** Every order the load placed, with the outcome its data calls for, and its view at the end (none if unknown). */
  readonly orders: ReadonlyArray<{ readonly orderId: string; readonly expected: ExpectedOutcome; readonly productId: string; readonly quantity: number; readonly view: OrderView | undefined }>;
  /** Every event the bus archived (what it accepted). */
  readonly archive: ReadonlyArray<ArchivedEvent>;
  readonly emails: readonly ReceivedEmail[];
  readonly deliveries: readonly ReceivedDelivery[];
  readonly charges: readonly ProviderRecord[];
  readonly refunds: readonly ProviderRecord[];
  /** Stock per product: as seeded, and as the inventory table holds it now. */
  readonly stock: ReadonlyArray<{ readonly productId: string; readonly initial: number; readonly available: number; readonly reserved: number; readonly shipped: number }>;
  /** Customers with a contact to e-mail (the contacts table). */
  readonly contacts: ReadonlySet<string>;
  /** Dead letters: found before the operator redrove them, redriven, and left at the end. */
  readonly deadLetters: { readonly found: number; readonly redriven: number; readonly remaining: number };
  /**
   * Whether the fault plan made this saga step of this order fail on every attempt (the only reason, besides
   * its data, an order may end otherwise than its data calls for).
   */
  readonly permanentlyFaulted: (orderId: string) => boolean;
  /** When the system was killed and when it answered again (epoch ms), for each crash of the run. */
  readonly crashes: ReadonlyArray<{ readonly killedAt: number; readonly restartedAt: number }>;
}

/** What an order's data calls for: COMPLETED, or CANCELLED with the business reason. */
export type ExpectedOutcome = 'COMPLETED' | `CANCELLED ${string}`;

/** An archived event, as much of it as the checks read. */
export interface ArchivedEvent {
  readonly id: string;
  readonly 'detail-type': string;
  readonly detail: { readonly metadata?: { readonly idempotencyKey?: string; readonly version?: number }; readonly data?: { readonly orderId?: string; readonly [field: string]: unknown } };
}

/** One invariant: how many violations were found (0 passes) out of how many cases, with examples. */
export interface InvariantResult {
  readonly name: string;
  readonly checked: number;
  readonly violations: number;
  /** Cases that would be violations but for a fault that AWS does not let anyone avoid (named in `examples`). */
  readonly explained: number;
  readonly examples: readonly string[];
}

/** The facts SendEmail sends an e-mail for, in the version it reads (from the model). */
export interface NotifyingFacts {
  readonly types: ReadonlyArray<{ readonly detailType: string; readonly version: number }>;
}

/**
 * Checks every invariant the chaos run promises against an observation. Each result counts its violations;
 * none may have any.
 */
export function checkInvariants(observation: Observation, notifying: NotifyingFacts): InvariantResult[] {
  const byOrder = groupBy(observation.archive, (event) => event.detail.data?.orderId);
  return [
    ordersEnd(observation),
    exactlyOneOutcome(observation, byOrder),
    outcomesExplained(observation),
    chargesMatchOutcomes(observation),
    stockConserved(observation),
    archivedOnce(observation),
    emailsPerNotifyingFact(observation, byOrder, notifying),
    deadLettersRedriven(observation),
  ];
}

function ordersEnd(observation: Observation): InvariantResult {
  const result = new Violations('orders lost or stuck (every placed order ends COMPLETED or CANCELLED)');
  for (const order of observation.orders) {
    result.check();
    if (!order.view) result.add(`${order.orderId}: lost (GET /orders answers 404)`);
    else if (order.view.status !== 'COMPLETED' && order.view.status !== 'CANCELLED')
      result.add(`${order.orderId}: stuck ${order.view.status}${order.view.saga ? ` (saga ${order.view.saga.status}${order.view.saga.error ? ` ${order.view.saga.error}` : ''})` : ''}`);
  }
  return result.done();
}

function exactlyOneOutcome(observation: Observation, byOrder: Map<string | undefined, ArchivedEvent[]>): InvariantResult {
  const result = new Violations('orders with both or neither outcome (exactly one OrderCompleted or OrderCancelled fact)');
  for (const order of observation.orders) {
    result.check();
    const events = byOrder.get(order.orderId) ?? [];
    const completed = distinctFacts(events.filter((event) => event['detail-type'] === 'OrderCompleted'));
    const cancelled = distinctFacts(events.filter((event) => event['detail-type'] === 'OrderCancelled'));
    if (completed + cancelled !== 1) result.add(`${order.orderId}: ${completed} OrderCompleted and ${cancelled} OrderCancelled facts`);
  }
  return result.done();
}

function outcomesExplained(observation: Observation): InvariantResult {
  const result = new Violations('outcomes not explained by the order’s data or an injected fault');
  for (const order of observation.orders) {
    if (!order.view) continue;
    result.check();
    const actual = order.view.status === 'CANCELLED' ? `CANCELLED ${order.view.reason ?? ''}` : order.view.status;
    if (actual === order.expected) continue;
    if (actual === 'CANCELLED STEP_FAILED' && observation.permanentlyFaulted(order.orderId)) continue;
    result.add(`${order.orderId}: ${actual}, its data calls for ${order.expected}${actual === 'CANCELLED STEP_FAILED' ? ' and no step of it was made to fail for good' : ''}`);
  }
  return result.done();
}

function chargesMatchOutcomes(observation: Observation): InvariantResult {
  const result = new Violations('charges: exactly one per completed order, every charge of a cancelled order refunded');
  const charges = groupBy(observation.charges, (charge) => charge.orderId);
  const refunded = new Set(observation.refunds.map((refund) => refund.paymentId));
  for (const order of observation.orders) {
    if (order.view?.status !== 'COMPLETED' && order.view?.status !== 'CANCELLED') continue;
    result.check();
    const made = charges.get(order.orderId) ?? [];
    if (order.view.status === 'COMPLETED' && made.length !== 1) result.add(`${order.orderId}: COMPLETED with ${made.length} charges`);
    if (order.view.status === 'COMPLETED' && made.some((charge) => refunded.has(charge.id))) result.add(`${order.orderId}: COMPLETED but refunded`);
    if (order.view.status === 'CANCELLED') for (const charge of made) if (!refunded.has(charge.id)) result.add(`${order.orderId}: CANCELLED with charge ${charge.id} not refunded`);
  }
  const refundsPerCharge = groupBy(observation.refunds, (refund) => refund.paymentId);
  for (const [paymentId, refunds] of refundsPerCharge) if (refunds.length > 1) result.add(`${String(paymentId)}: refunded ${refunds.length} times`);
  return result.done();
}

function stockConserved(observation: Observation): InvariantResult {
  const result = new Violations('stock conserved per product (available + reserved + shipped = initial; shipped = completed quantity)');
  const completed = observation.orders.filter((order) => order.view?.status === 'COMPLETED');
  for (const product of observation.stock) {
    result.check();
    const total = product.available + product.reserved + product.shipped;
    if (total !== product.initial) result.add(`${product.productId}: ${product.available} + ${product.reserved} + ${product.shipped} = ${total}, initial ${product.initial}`);
    if (product.reserved !== 0) result.add(`${product.productId}: ${product.reserved} units still reserved after every order ended`);
    const shipped = completed.filter((order) => order.productId === product.productId).reduce((sum, order) => sum + order.quantity, 0);
    if (shipped !== product.shipped) result.add(`${product.productId}: ${product.shipped} shipped, completed orders hold ${shipped}`);
  }
  return result.done();
}

function archivedOnce(observation: Observation): InvariantResult {
  const result = new Violations('accepted events archived once (unique ids; every placed order’s OrderCreated and outcome archived)');
  const counts = new Map<string, number>();
  for (const event of observation.archive) counts.set(event.id, (counts.get(event.id) ?? 0) + 1);
  for (const [id, count] of counts) {
    result.check();
    if (count > 1) result.add(`event ${id} archived ${count} times`);
  }
  const types = groupBy(observation.archive, (event) => `${event.detail.data?.orderId ?? ''}|${event['detail-type']}`);
  for (const order of observation.orders) {
    if (!types.has(`${order.orderId}|OrderCreated`)) result.add(`${order.orderId}: no OrderCreated archived`);
  }
  return result.done();
}

/**
 * SES takes no idempotency key, so an e-mail accepted by SES just before the process died, whose idempotency
 * record was still in progress, is sent again by the retry after the restart: the one duplicate no design can
 * rule out (an at-most-once marker would lose the e-mail instead). Such a pair, the first copy before a kill and
 * the second after the restart, is counted as explained; any other extra e-mail is a violation.
 */
function emailsPerNotifyingFact(observation: Observation, byOrder: Map<string | undefined, ArchivedEvent[]>, notifying: NotifyingFacts): InvariantResult {
  const result = new Violations('e-mails per notifying fact (exactly 1, for customers with a contact)');
  const emails = groupBy(observation.emails, (email) => email.tags.orderId);
  const acrossCrash = (copies: readonly ReceivedEmail[]) =>
    copies.length === 2 && observation.crashes.some((crash) => Date.parse(copies[0]!.receivedAt) <= crash.killedAt && Date.parse(copies[1]!.receivedAt) >= crash.killedAt);
  for (const order of observation.orders) {
    const customerId = order.view?.customerId;
    if (!customerId) continue;
    result.check();
    const facts = (byOrder.get(order.orderId) ?? []).filter((event) =>
      notifying.types.some((type) => type.detailType === event['detail-type'] && type.version === (event.detail.metadata?.version ?? 1)),
    );
    const expected = observation.contacts.has(customerId) ? distinctFacts(facts) : 0;
    const copies = emails.get(order.orderId) ?? [];
    if (copies.length === expected) continue;
    if (expected === 1 && acrossCrash(copies)) result.explain(`${order.orderId}: e-mailed twice, once before the kill and once after (SES has no idempotency key)`);
    else result.add(`${order.orderId}: ${copies.length} e-mails for ${expected} notifying facts`);
  }
  return result.done();
}

function deadLettersRedriven(observation: Observation): InvariantResult {
  const { found, redriven, remaining } = observation.deadLetters;
  const result = new Violations('dead letters accounted for (each one redriven, none left)');
  result.check();
  if (remaining > 0) result.add(`${remaining} dead letters left in the queues`);
  if (redriven !== found) result.add(`${found} dead letters found, ${redriven} redriven`);
  return result.done();
}

/** Facts, not copies: a double-published or redelivered fact keeps its idempotency key. */
function distinctFacts(events: readonly ArchivedEvent[]): number {
  return new Set(events.map((event) => event.detail.metadata?.idempotencyKey ?? event.id)).size;
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Counts cases and keeps a few examples of what failed. */
class Violations {
  private checked = 0;
  private violations = 0;
  private explained = 0;
  private readonly examples: string[] = [];

  constructor(private readonly name: string) {}

  check(): void {
    this.checked++;
  }

  add(example: string): void {
    this.violations++;
    if (this.examples.length < 5) this.examples.push(example);
  }

  /** A case that fails the letter of the invariant because of a fault no design can avoid. */
  explain(example: string): void {
    this.explained++;
    if (this.examples.length < 5) this.examples.push(`explained: ${example}`);
  }

  done(): InvariantResult {
    return { name: this.name, checked: this.checked, violations: this.violations, explained: this.explained, examples: this.examples };
  }
}

/**
 * With a global endpoint and replication on, every event a producer sent through the endpoint is in both regions'
 * archives as often as it was accepted (routed to one region, replicated to the other), and nothing else reaches
 * the secondary region: the saga states its facts on the home region's bus. `throughEndpoint` names the detail
 * types the model's publishing functions emit.
 */
export function regionArchivesAgree(home: readonly ArchivedEvent[], secondary: readonly ArchivedEvent[], throughEndpoint: ReadonlySet<string>): InvariantResult {
  const result = new Violations('events a region missed (each event sent through the global endpoint is archived in both regions)');
  const tally = (events: readonly ArchivedEvent[]) => {
    const counts = new Map<string, number>();
    for (const event of events) {
      const key = `${event['detail-type']} v${event.detail.metadata?.version ?? '?'} ${event.detail.metadata?.idempotencyKey ?? event.id}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  };
  const homeCounts = tally(home.filter((event) => throughEndpoint.has(event['detail-type'])));
  const secondaryCounts = tally(secondary);
  for (const [key, count] of homeCounts) {
    result.check();
    const there = secondaryCounts.get(key) ?? 0;
    if (there !== count) result.add(`${key}: ${count} in the home region, ${there} in the secondary`);
  }
  for (const [key, count] of secondaryCounts) {
    if (homeCounts.has(key)) continue;
    result.check();
    result.add(`${key}: ${count} in the secondary region, ${throughEndpoint.has(key.split(' ')[0] ?? '') ? 'none in the home region' : 'yet it is not sent through the endpoint'}`);
  }
  return result.done();
}
