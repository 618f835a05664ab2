import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordedResource } from './mocks';
import type { SynthResult } from './synthesize';

const INTERESTING = ['name', 'eventPattern', 'retryPolicy', 'deadLetterConfig', 'runtime', 'architectures', 'type', 'retentionDays', 'retentionInDays', 'routeKey', 'metricName', 'invocationEndpoint', 'invocationRateLimitPerSecond', 'authorizationType'];

/** What a secret input is replaced with in the files, so a review copy never carries a credential. */
export const REDACTED = '[secret]';

/**
 * Writes `<stack>.json` (the resource graph) and `<stack>.md` (a readable summary) into `outDir`, every input the
 * program passed as a Pulumi secret replaced by {@link REDACTED}. Returns the paths written.
 */
export function writeSynthFiles(result: SynthResult, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const resources = result.resources.map((r) => ({ ...r, inputs: redacted(r) }));
  const graph = resources.map((r) => ({ type: r.type, name: r.name, parent: parentOf(r.inputs), inputs: r.inputs, secretInputs: r.secretInputs }));
  const json = join(outDir, `${result.stack}.json`);
  const md = join(outDir, `${result.stack}.md`);
  writeFileSync(json, `${JSON.stringify({ stack: result.stack, outputs: result.outputs, resources: graph }, null, 2)}\n`);
  writeFileSync(md, markdown(result, resources));
  return [json, md];
}

/** The inputs with every secret path (as the mocks record them: `a.b[0]`) replaced. */
function redacted(resource: RecordedResource): Record<string, unknown> {
  const secret = new Set(resource.secretInputs);
  const walk = (value: unknown, path: string): unknown => {
    if (secret.has(path)) return REDACTED;
    if (Array.isArray(value)) return value.map((item, i) => walk(item, `${path}[${i}]`));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, path ? `${path}.${k}` : k)]));
    return value;
  };
  return walk(resource.inputs, '') as Record<string, unknown>;
}

function parentOf(inputs: Record<string, unknown>): string | undefined {
  return typeof inputs.parent === 'string' ? inputs.parent : undefined;
}

function markdown(result: SynthResult, resources: readonly RecordedResource[]): string {
  const byType = new Map<string, number>();
  for (const r of resources) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  const lines = [`# Stack ${result.stack}: ${resources.length} resources`, '', '## Outputs', '', '```json', JSON.stringify(result.outputs, null, 2), '```', '', '## Resources by type', '', '| type | count |', '| --- | --- |'];
  for (const [type, count] of [...byType].sort()) lines.push(`| ${type} | ${count} |`);
  lines.push('', '## Resources', '', '| type | name | what matters |', '| --- | --- | --- |');
  for (const r of resources) {
    const shown = Object.fromEntries(INTERESTING.filter((key) => r.inputs[key] !== undefined).map((key) => [key, r.inputs[key]]));
    const secret = r.secretInputs.length > 0 ? ` (secret: ${r.secretInputs.join(', ')})` : '';
    lines.push(`| ${r.type} | ${r.name} | ${JSON.stringify(shown).replace(/\|/g, '\\|')}${secret} |`);
  }
  return `${lines.join('\n')}\n`;
}
