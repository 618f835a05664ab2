import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { componentDiagram, resourceGraph, type ResourceGraph } from './graph';
import type { RecordedResource } from './mocks';
import type { SynthResult } from './synthesize';

const INTERESTING = [
  'name',
  'eventPattern',
  'retryPolicy',
  'deadLetterConfig',
  'runtime',
  'architectures',
  'type',
  'retentionDays',
  'retentionInDays',
  'routeKey',
  'metricName',
  'invocationEndpoint',
  'invocationRateLimitPerSecond',
  'authorizationType',
];

/** What a secret input is replaced with in the files, so a review copy never carries a credential. */
export const REDACTED = '[secret]';

/**
 * Writes `<stack>.json` (every resource, and the resource graph: parent tree, dependencies, references by ARN) and
 * `<stack>.md` (a readable summary with a diagram of the components by region) into `outDir`, every input the
 * program passed as a Pulumi secret replaced by {@link REDACTED}. Returns the paths written.
 */
export function writeSynthFiles(result: SynthResult, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const resources = result.resources.map((r) => ({ ...r, inputs: redacted(r) }));
  const graph = resourceGraph(result.resources);
  const json = join(outDir, `${result.stack}.json`);
  const md = join(outDir, `${result.stack}.md`);
  const listed = resources.map(({ urn, type, name, parent, provider, region, accountId, id, inputs, secretInputs, outputs }) => ({
    urn,
    type,
    name,
    parent,
    provider,
    region,
    accountId,
    id,
    inputs,
    secretInputs,
    outputs,
  }));
  writeFileSync(json, `${JSON.stringify({ stack: result.stack, outputs: result.outputs, graph, resources: listed }, null, 2)}\n`);
  writeFileSync(md, markdown(result, resources, graph));
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

function markdown(result: SynthResult, resources: readonly RecordedResource[], graph: ResourceGraph): string {
  const byType = new Map<string, number>();
  for (const r of resources) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  const lines = [`# Stack ${result.stack}: ${resources.length} resources`, '', '## Outputs', '', '```json', JSON.stringify(result.outputs, null, 2), '```', ''];
  lines.push('## Components by region', '', '```mermaid', componentDiagram(graph), '```', '');
  lines.push(
    '## Resource graph',
    '',
    `${result.stack}.json holds the graph: ${graph.nodes.length} nodes, ${graph.parents.length} parent edges, ${graph.dependsOn.length} dependencies, ${graph.arnReferences.length} references by ARN (an input equal to, or containing, another resource's ARN).`,
    '',
  );
  lines.push('| region | account | resources |', '| --- | --- | --- |');
  const placements = new Map<string, number>();
  for (const r of resources) if (r.custom && !r.type.startsWith('pulumi:providers:')) placements.set(`${r.region} | ${r.accountId}`, (placements.get(`${r.region} | ${r.accountId}`) ?? 0) + 1);
  for (const [placement, count] of [...placements].sort()) lines.push(`| ${placement} | ${count} |`);
  lines.push('', '## Resources by type', '', '| type | count |', '| --- | --- |');
  for (const [type, count] of [...byType].sort()) lines.push(`| ${type} | ${count} |`);
  lines.push('', '## Resources', '', '| type | name | region | what matters |', '| --- | --- | --- | --- |');
  for (const r of resources) {
    const shown = Object.fromEntries(INTERESTING.filter((key) => r.inputs[key] !== undefined).map((key) => [key, r.inputs[key]]));
    const secret = r.secretInputs.length > 0 ? ` (secret: ${r.secretInputs.join(', ')})` : '';
    lines.push(`| ${r.type} | ${r.name} | ${r.region} | ${JSON.stringify(shown).replace(/\|/g, '\\|')}${secret} |`);
  }
  return `${lines.join('\n')}\n`;
}
