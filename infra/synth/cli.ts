/**
 * `npm run synth -- --stack dev`: evaluates the stack under Pulumi mocks (no AWS account, no Pulumi CLI) and
 * writes the resource graph to synth/<stack>.json and a readable summary to synth/<stack>.md, for code review.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EventflowError } from '../../model/errors';
import { synthesize, type SynthResult } from './synthesize';

const INTERESTING = ['name', 'eventPattern', 'retryPolicy', 'deadLetterConfig', 'runtime', 'architectures', 'type', 'retentionDays', 'retentionInDays', 'routeKey', 'metricName', 'invocationEndpoint', 'invocationRateLimitPerSecond', 'authorizationType'];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { stack: { type: 'string', default: 'dev' }, out: { type: 'string', default: 'synth' } } });
  const stack = values.stack as string;
  const result = await synthesize(stack);
  const outDir = join(process.cwd(), values.out as string);
  mkdirSync(outDir, { recursive: true });
  const graph = result.resources.map((r) => ({ type: r.type, name: r.name, parent: parentOf(r.inputs), inputs: r.inputs, secretInputs: r.secretInputs }));
  writeFileSync(join(outDir, `${stack}.json`), `${JSON.stringify({ stack, outputs: result.outputs, resources: graph }, null, 2)}\n`);
  writeFileSync(join(outDir, `${stack}.md`), markdown(result));
  process.stdout.write(`${result.resources.length} resources for stack ${stack} in ${Math.round(result.durationMs)} ms → ${join(values.out as string, `${stack}.json`)}, ${join(values.out as string, `${stack}.md`)}\n`);
}

function parentOf(inputs: Record<string, unknown>): string | undefined {
  return typeof inputs.parent === 'string' ? inputs.parent : undefined;
}

function markdown(result: SynthResult): string {
  const byType = new Map<string, number>();
  for (const r of result.resources) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  const lines = [`# Stack ${result.stack}: ${result.resources.length} resources`, '', '## Outputs', '', '```json', JSON.stringify(result.outputs, null, 2), '```', '', '## Resources by type', '', '| type | count |', '| --- | --- |'];
  for (const [type, count] of [...byType].sort()) lines.push(`| ${type} | ${count} |`);
  lines.push('', '## Resources', '', '| type | name | what matters |', '| --- | --- | --- |');
  for (const r of result.resources) {
    const shown = Object.fromEntries(INTERESTING.filter((key) => r.inputs[key] !== undefined).map((key) => [key, r.inputs[key]]));
    const secret = r.secretInputs.length > 0 ? ` (secret: ${r.secretInputs.join(', ')})` : '';
    lines.push(`| ${r.type} | ${r.name} | ${JSON.stringify(shown).replace(/\|/g, '\\|')}${secret} |`);
  }
  return `${lines.join('\n')}\n`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof EventflowError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
