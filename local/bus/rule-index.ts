import { compilePattern, prepareEvent, type CompiledPattern, type PatternInput } from './pattern';

/** A rule as the index holds it. */
export interface IndexedRule<T> {
  readonly name: string;
  readonly target: T;
}

interface Entry<T> {
  readonly rule: IndexedRule<T>;
  readonly matches: CompiledPattern;
}

/**
 * The bus's rules, indexed so that an event is only tested against rules that could match it: a rule whose
 * pattern names exact `detail-type` values is filed under each of them; every other rule is tested always.
 * Patterns derived from the model always name their detail-types, so matching costs grow with the rules for
 * one event type, not with every rule on the bus.
 */
export class RuleIndex<T> {
  private readonly byDetailType = new Map<string, Entry<T>[]>();
  private readonly unindexed: Entry<T>[] = [];

  /** Adds a rule; throws InvalidPatternException with every reason when its pattern is invalid. */
  add(rule: IndexedRule<T>, pattern: PatternInput): void {
    const entry = { rule, matches: compilePattern(pattern) };
    const parsed = typeof pattern === 'string' ? (JSON.parse(pattern) as Record<string, unknown>) : pattern;
    const detailTypes = exactStrings(parsed['detail-type']);
    if (detailTypes && !('$or' in parsed)) {
      // Once per value: a pattern may repeat one (["A", "A"]), and filing it twice would deliver the event twice.
      for (const detailType of new Set(detailTypes)) this.byDetailType.set(detailType, [...(this.byDetailType.get(detailType) ?? []), entry]);
    } else {
      this.unindexed.push(entry);
    }
  }

  /** The rules `event` matches, in the order they were added within each group. */
  match(event: { readonly 'detail-type'?: unknown }): IndexedRule<T>[] {
    const candidates = typeof event['detail-type'] === 'string' ? (this.byDetailType.get(event['detail-type']) ?? []) : [];
    const prepared = prepareEvent(event as never);
    const matched: IndexedRule<T>[] = [];
    for (const entry of candidates) if (entry.matches.prepared(prepared)) matched.push(entry.rule);
    for (const entry of this.unindexed) if (entry.matches.prepared(prepared)) matched.push(entry.rule);
    return matched;
  }

  get size(): number {
    return this.unindexed.length + new Set([...this.byDetailType.values()].flat()).size;
  }
}

/** The values of a leaf that holds only exact strings, else undefined (an operator could match anything). */
function exactStrings(leaf: unknown): string[] | undefined {
  return Array.isArray(leaf) && leaf.length > 0 && leaf.every((value) => typeof value === 'string') ? (leaf as string[]) : undefined;
}
