import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cause, DataOf, DeliveredEvent, EventData, EventName, Fact, VersionOf } from '../../functions/shared';

export const FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'events');

/**
 * A fresh copy of the example event `test/fixtures/events/<name>.v<version>.json`, as EventBridge delivers it, its
 * data typed by the catalog's bindings for a known event and version.
 */
export function fixtureEvent<N extends EventName, V extends VersionOf<N> = 1 & VersionOf<N>>(name: N, version?: V): DeliveredEvent<DataOf<N, V> & EventData>;
export function fixtureEvent(name: string, version?: number): DeliveredEvent;
export function fixtureEvent(name: string, version = 1): DeliveredEvent {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, `${name}.v${version}.json`), 'utf8')) as DeliveredEvent;
}

/**
 * A fact the types would refuse (an unknown event, data that breaks its schema), for tests of the publisher's
 * run-time checks: what the bindings cannot see at compile time is still refused when it is published.
 */
export function uncheckedFact(fact: {
  readonly detailType: string;
  readonly data?: unknown;
  readonly dataByVersion?: unknown;
  readonly cause?: Cause;
  readonly correlationId?: string;
  readonly idempotencyKey?: string;
}): Fact {
  return fact as Fact;
}

/** Every fixture file name, e.g. `OrderCreated.v1.json`. */
export function fixtureFiles(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort();
}
