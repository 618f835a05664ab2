import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { deriveIdempotencyKey, envelopesFor } from '../../../functions/shared/envelope';
import { loadCatalog } from '../../../model';
import { repoRoot } from '../../../model/paths';
import { uncheckedFact } from '../../helpers/fixtures';

// Properties of the envelope: whatever cause and time a fact comes with, every envelope it is wrapped in is valid
// against its version's schema, and the versions of one fact share its correlation id and idempotency key.

const FIXTURES = join(repoRoot(), 'test', 'fixtures', 'events');
/** One valid data document per event version, from the fixtures. */
const dataOf = new Map(
  readdirSync(FIXTURES).map((file) => {
    const event = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as { 'detail-type': string; detail: { metadata: { version: number }; data: Record<string, unknown> } };
    return [`${event['detail-type']} v${event.detail.metadata.version}`, event.detail.data] as const;
  }),
);

describe('the envelope (properties)', () => {
  const catalog = loadCatalog();
  const cause = fc.record({ correlationId: fc.uuid(), idempotencyKey: fc.string({ minLength: 1, maxLength: 64 }) });
  // Before, during and after PaymentMade v1's double-publishing window.
  const now = fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2028-01-01T00:00:00Z'), noInvalidDate: true });
  const eventName = fc.constantFrom(...catalog.eventNames());

  it('wraps every fact in envelopes its versions’ schemas accept, sharing one correlation id and idempotency key', () => {
    fc.assert(
      fc.property(eventName, cause, now, (detailType, because, at) => {
        const live = catalog.liveVersions(detailType, at);
        const dataByVersion = Object.fromEntries(live.map((entry) => [entry.version, dataOf.get(`${detailType} v${entry.version}`) ?? {}]));
        // The fixtures are valid data for each version, which the types cannot know of a generated event name.
        const envelopes = envelopesFor(catalog, uncheckedFact({ detailType, dataByVersion, cause: because }), at);

        expect(envelopes.map((e) => e.entry.version)).toEqual(live.map((entry) => entry.version));
        for (const { entry, envelope } of envelopes) expect({ version: entry.version, violations: catalog.checkFor(entry)(envelope) }).toEqual({ version: entry.version, violations: [] });
        expect(new Set(envelopes.map((e) => e.envelope.detail.metadata.correlationId))).toEqual(new Set([because.correlationId]));
        expect(new Set(envelopes.map((e) => e.envelope.detail.metadata.idempotencyKey))).toEqual(new Set([deriveIdempotencyKey(because, detailType)]));
      }),
      { numRuns: 200 },
    );
  });

  it('derives the same idempotency key for the same cause and fact, and another for another fact or cause', () => {
    fc.assert(
      fc.property(cause, cause, eventName, eventName, (a, b, first, second) => {
        expect(deriveIdempotencyKey(a, first)).toBe(deriveIdempotencyKey({ ...a }, first));
        if (first !== second) expect(deriveIdempotencyKey(a, first)).not.toBe(deriveIdempotencyKey(a, second));
        if (a.idempotencyKey !== b.idempotencyKey) expect(deriveIdempotencyKey(a, first)).not.toBe(deriveIdempotencyKey(b, first));
      }),
      { numRuns: 300 },
    );
  });
});
