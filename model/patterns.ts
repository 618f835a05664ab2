import type { EventVersion } from './catalog';

/** An EventBridge event pattern, as PutRule receives it (parsed). */
export type EventPattern = { readonly [field: string]: unknown };

/**
 * The pattern a subscription's rule uses: the consumed events' sources and detail-types, pinned to the
 * schema versions the consumer understands, so that while an event is double-published each consumer
 * receives exactly the version it reads. Consumed versions that differ per event become a `$or`.
 */
export function subscriptionPattern(consumes: readonly EventVersion[], filter?: EventPattern): EventPattern {
  const byVersion = new Map<number, EventVersion[]>();
  for (const entry of consumes) byVersion.set(entry.version, [...(byVersion.get(entry.version) ?? []), entry]);
  const branches = [...byVersion.entries()]
    .sort(([a], [b]) => a - b)
    .map(([version, entries]) =>
      mergePatterns(
        {
          source: unique(entries.map((entry) => entry.source)),
          'detail-type': unique(entries.map((entry) => entry.name)),
          detail: { metadata: { version: [version] } },
        },
        filter ?? {},
      ),
    );
  return branches.length === 1 ? (branches[0] as EventPattern) : { $or: branches };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/** Deep-merges two patterns; where both name the same leaf, the filter's value wins. */
function mergePatterns(base: EventPattern, extra: EventPattern): EventPattern {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const existing = merged[key];
    merged[key] = isObject(existing) && isObject(value) ? mergePatterns(existing, value) : value;
  }
  return merged;
}

function isObject(value: unknown): value is EventPattern {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
