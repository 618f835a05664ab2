import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DeliveredEvent } from '../../functions/shared';

export const FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'events');

/** A fresh copy of the example event `test/fixtures/events/<name>.v<version>.json`, as EventBridge delivers it. */
export function fixtureEvent(name: string, version = 1): DeliveredEvent {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, `${name}.v${version}.json`), 'utf8')) as DeliveredEvent;
}

/** Every fixture file name, e.g. `OrderCreated.v1.json`. */
export function fixtureFiles(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort();
}
