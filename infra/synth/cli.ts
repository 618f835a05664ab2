/**
 * `npm run synth -- --stack dev`: evaluates the stack under Pulumi mocks (no AWS account, no Pulumi CLI) that answer
 * with AWS's id, ARN and URL formats, and writes every resource and the resource graph (parent tree, dependencies,
 * references by ARN) to synth/<stack>.json, and a readable summary with a diagram of the components by region to
 * synth/<stack>.md, for code review. Secret inputs are written as "[secret]".
 */
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EventflowError } from '../../model/errors';
import { synthesize } from './synthesize';
import { writeSynthFiles } from './write';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { stack: { type: 'string', default: 'dev' }, out: { type: 'string', default: 'synth' } } });
  const stack = values.stack as string;
  const result = await synthesize(stack);
  const written = writeSynthFiles(result, resolve(process.cwd(), values.out as string));
  process.stdout.write(`${result.resources.length} resources for stack ${stack} in ${Math.round(result.durationMs)} ms → ${written.map((file) => relative(process.cwd(), file)).join(', ')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof EventflowError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
