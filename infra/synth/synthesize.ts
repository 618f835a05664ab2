import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from '../../model/paths';
import { SECRET_CONFIG_KEYS } from '../stage-config';
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

/** `Pulumi.<stack>.yaml` as the flat string map Pulumi hands a program (objects as JSON). */
export function readStackConfig(stack: string, root = repoRoot()): Record<string, string> {
  const file = join(root, `Pulumi.${stack}.yaml`);
  const document = parse(readFileSync(file, 'utf8')) as { config?: Record<string, unknown> };
  const config = Object.fromEntries(Object.entries(document.config ?? {}).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
  for (const key of SECRET_CONFIG_KEYS) config[key] ??= SYNTH_SECRET;
  return config;
}

export interface SynthOptions {
  /**
   * Whether errors made while the program runs record stack frames. Pulumi makes one for every promise it creates
   * (for its leak report); where frames are costly to format (jest source-maps up to 100 per error, which tripled
   * the evaluation time) turn this off, and errors thrown by the program then carry their message only.
   * @default true
   */
  readonly stackTraces?: boolean;
}

/**
 * Evaluates the stack program (infra/stack.ts) for a stage under Pulumi mocks, with no AWS account and no
 * Pulumi CLI, and returns every resource it declared with its inputs. Once per process: Pulumi's runtime
 * and the program's module are global.
 */
export async function synthesize(stack: string, overrides: Record<string, string | undefined> = {}, options: SynthOptions = {}): Promise<SynthResult> {
  const started = performance.now();
  const stackTraceLimit = Error.stackTraceLimit;
  if (options.stackTraces === false) Error.stackTraceLimit = 0;
  try {
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
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

async function resolveRecord(pulumi: typeof import('@pulumi/pulumi'), value: unknown): Promise<unknown> {
  if (!value || typeof value !== 'object') return value;
  const entries = await Promise.all(Object.entries(value).map(async ([key, item]) => [key, pulumi.Output.isInstance(item) ? await new Promise((resolve) => item.apply(resolve)) : item] as const));
  return Object.fromEntries(entries);
}
