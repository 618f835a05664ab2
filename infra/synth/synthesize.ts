import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../model/paths';
import { DELIVERY_PROVIDER_SECRET_KEY } from '../stage-config';
import { installMocks, settle, type RecordedResource } from './mocks';

/** What evaluating the stack program under mocks produced. */
export interface SynthResult {
  readonly stack: string;
  readonly resources: readonly RecordedResource[];
  readonly outputs: Record<string, unknown>;
  /** Milliseconds from installing the mocks to the last output resolved. */
  readonly durationMs: number;
}

/** Placeholder for secrets a stack file cannot hold in plain text (they are set with `pulumi config set --secret`). */
export const SYNTH_SECRET = 'synth-secret-value';
const SECRET_KEYS = [`eventflow:${DELIVERY_PROVIDER_SECRET_KEY}`];

/** `Pulumi.<stack>.yaml` as the flat string map Pulumi hands a program (objects as JSON). */
export function readStackConfig(stack: string, root = repoRoot()): Record<string, string> {
  const file = join(root, `Pulumi.${stack}.yaml`);
  const document = parse(readFileSync(file, 'utf8')) as { config?: Record<string, unknown> };
  const config = Object.fromEntries(Object.entries(document.config ?? {}).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
  for (const key of SECRET_KEYS) config[key] ??= SYNTH_SECRET;
  return config;
}

/**
 * Evaluates the stack program (infra/stack.ts) for a stage under Pulumi mocks, with no AWS account and no
 * Pulumi CLI, and returns every resource it declared with its inputs. Once per process: Pulumi's runtime
 * and the program's module are global.
 */
export async function synthesize(stack: string, overrides: Record<string, string | undefined> = {}): Promise<SynthResult> {
  const started = performance.now();
  const config = { ...readStackConfig(stack), ...overrides };
  for (const [key, value] of Object.entries(config)) if (value === undefined) delete config[key];
  const { pulumi, resources } = await installMocks(config as Record<string, string>, stack);
  const program = (await import('../stack')) as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(program)) {
    outputs[name] = pulumi.Output.isInstance(value) ? await new Promise((resolve) => value.apply(resolve)) : await resolveRecord(pulumi, value);
  }
  await settle();
  return { stack, resources, outputs, durationMs: performance.now() - started };
}

async function resolveRecord(pulumi: typeof import('@pulumi/pulumi'), value: unknown): Promise<unknown> {
  if (!value || typeof value !== 'object') return value;
  const entries = await Promise.all(Object.entries(value).map(async ([key, item]) => [key, pulumi.Output.isInstance(item) ? await new Promise((resolve) => item.apply(resolve)) : item] as const));
  return Object.fromEntries(entries);
}
