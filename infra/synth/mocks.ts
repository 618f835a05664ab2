import type * as pulumiType from '@pulumi/pulumi';

/** A resource the program registered, with the inputs it was given (secrets unwrapped, flagged). */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  /** Input names that were passed as secrets. */
  readonly secretInputs: readonly string[];
}

const SECRET_SIGNATURE = '1b47061264138c4ac30d75fd1eb44270';

function unwrap(value: unknown, path: string, secrets: string[]): unknown {
  if (value && typeof value === 'object' && (value as Record<string, unknown>)['4dabf18193072939515e22adb298388d'] === SECRET_SIGNATURE) {
    secrets.push(path);
    return unwrap((value as { value: unknown }).value, path, secrets);
  }
  if (Array.isArray(value)) return value.map((item, i) => unwrap(item, `${path}[${i}]`, secrets));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v, path ? `${path}.${k}` : k, secrets)]));
  return value;
}

/**
 * Installs Pulumi mocks that record every resource and supply the output-only properties (arn, url, id…)
 * a real deployment would; any provider `call` (data source) fails the test, since the program makes none.
 * Call before importing the program. Shared by `npm run synth` and the tests.
 */
export async function installMocks(config: Record<string, string> = {}, stack = 'dev'): Promise<{ pulumi: typeof pulumiType; resources: RecordedResource[] }> {
  const pulumi = await import('@pulumi/pulumi');
  const resources: RecordedResource[] = [];
  pulumi.runtime.setAllConfig(config);
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const secrets: string[] = [];
        const inputs = unwrap(args.inputs, '', secrets) as Record<string, unknown>;
        resources.push({ type: args.type, name: args.name, inputs, secretInputs: secrets });
        const physical = (inputs.name as string | undefined) ?? args.name;
        const region = (inputs.region as string | undefined) ?? 'eu-west-1';
        const service = args.type.split(':')[1]?.split('/')[0] ?? 'x';
        const state: Record<string, unknown> = {
          ...args.inputs,
          arn: (args.inputs.arn as string | undefined) ?? `arn:aws:${service}:${region}:111111111111:${physical}`,
          name: physical,
          id: `${physical}-id`,
        };
        if (args.type === 'aws:sqs/queue:Queue') state.url = `https://sqs.${region}.amazonaws.com/111111111111/${physical}`;
        if (args.type === 'aws:apigatewayv2/api:Api') state.apiEndpoint = `https://${physical}.execute-api.${region}.amazonaws.com`;
        if (args.type === 'aws:apigatewayv2/stage:Stage') state.invokeUrl = `https://api.execute-api.${region}.amazonaws.com/${physical}`;
        if (args.type === 'aws:cloudwatch/eventEndpoint:EventEndpoint') state.endpointUrl = `https://${physical}.endpoint.events.amazonaws.com`;
        if (args.type === 'aws:lambda/function:Function') state.invokeArn = `arn:aws:apigateway:${region}:lambda:path/functions/${String(state.arn)}/invocations`;
        if (args.type === 'aws:cloudwatch/eventRule:EventRule') state.arn = `arn:aws:events:${region}:111111111111:rule/${physical}`;
        return { id: `${physical}-id`, state };
      },
      call(args) {
        throw new Error(`the program made an unexpected provider call: ${args.token}`);
      },
    },
    'eventflow',
    stack,
    false,
  );
  return { pulumi, resources };
}

/** The value of an Output, once resolved. */
export function valueOf<T>(output: pulumiType.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Waits until every resource registered so far has been recorded. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

export const ofType = (resources: readonly RecordedResource[], type: string) => resources.filter((r) => r.type === type);
