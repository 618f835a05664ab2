import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../model/paths';
import { matchesPattern, validatePattern } from '../../../local/bus/pattern';

// Cases whose expected results AWS itself gave, copied into the repository with their sources (see its README).
const CONFORMANCE = join(repoRoot(), 'test', 'fixtures', 'conformance', 'eventbridge-patterns');
const load = <T>(file: string): T[] => JSON.parse(readFileSync(join(CONFORMANCE, file), 'utf8')) as T[];

interface MatchCase {
  id: string;
  pattern?: Record<string, unknown>;
  pattern_raw?: string;
  event?: Record<string, unknown>;
  event_raw?: string;
  match: boolean;
}
interface InvalidCase {
  id: string;
  pattern?: unknown;
  pattern_raw?: string;
}

const matchCases = [...load<MatchCase>('cases.json'), ...load<MatchCase>('cases-raw.json')];
const invalidCases = load<InvalidCase>('invalid.json');

describe('EventBridge pattern conformance (AWS-validated cases)', () => {
  it('has the cases it was written against', () => {
    expect(matchCases.length).toBeGreaterThanOrEqual(150);
    expect(invalidCases.length).toBe(42);
  });

  it.each(matchCases.map((c) => [c.id, c] as const))('%s', (_id, testCase) => {
    const pattern = testCase.pattern_raw ?? testCase.pattern!;
    const event = testCase.event_raw !== undefined ? (JSON.parse(testCase.event_raw) as unknown) : testCase.event;

    expect(validatePattern(pattern)).toEqual([]);
    expect(matchesPattern(pattern, event)).toBe(testCase.match);
  });

  it.each(invalidCases.map((c) => [c.id, c] as const))('rejects %s', (_id, testCase) => {
    const pattern = testCase.pattern_raw ?? (testCase.pattern as Record<string, unknown>);

    expect(validatePattern(pattern as string | Record<string, unknown>)).not.toEqual([]);
  });
});
