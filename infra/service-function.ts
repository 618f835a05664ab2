// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as cloudwatch from '@pulumi/aws/cloudwatch';
import * as iam from '@pulumi/aws/iam';
import * as lambda from '@pulumi/aws/lambda';
import * as pulumi from '@pulumi/pulumi';
import { CATALOG_DIR } from '../model/catalog';
import { ProblemList } from './errors';
import { ENTRY_FILE, bundleHandlers, writeFunctionFolder, type Bundle } from './internal/bundle';
import { assumeRolePolicy, policyDocument, type Statement } from './internal/policy';
import { DEFAULT_LOG_RETENTION_DAYS } from '../model/limits';
import { InfraDefinitionError } from './errors';

export const FUNCTION_DEFAULTS = {
  runtime: 'nodejs22.x',
  architecture: 'arm64',
  memorySize: 512,
  timeoutSeconds: 15,
  logRetentionDays: DEFAULT_LOG_RETENTION_DAYS,
} as const;

export interface ServiceFunctionArgs {
  /** Function name, 1–64 letters, digits, `-` or `_`. */
  readonly functionName: string;
  /** The service it belongs to (Powertools service name). */
  readonly service: string;
  /** The TypeScript file exporting `handler`; bundled with esbuild when the program runs. */
  readonly handlerFile: string;
  /** The handler bundled together with its siblings (see `bundleHandlers`). @default - bundled on its own */
  readonly bundle?: Promise<Bundle | undefined>;
  readonly environment?: Record<string, pulumi.Input<string>>;
  /**
   * The CloudWatch namespace of its Powertools metrics (POWERTOOLS_METRICS_NAMESPACE): the stage's
   * `ResourceNames.metricsNamespace`, where the producer alarms look.
   * @default - unset: a function that publishes events then fails at init, naming the variable
   */
  readonly metricsNamespace?: pulumi.Input<string>;
  /** Exactly what the function may do; no `*` action. */
  readonly statements: readonly Statement[];
  /** @default nodejs22.x */
  readonly runtime?: string;
  /** 128–10,240 MB. @default 512 */
  readonly memorySize?: number;
  /** 1–900 s. @default 15 */
  readonly timeoutSeconds?: number;
  /** Days the function's logs are kept: one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, …, 3653). @default 14 */
  readonly logRetentionDays?: number;
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const RUNTIME = /^nodejs(2[2-9]|[3-9]\d)\.x$/;

/** Checks ServiceFunction arguments; throws one error listing every problem. */
export function validateServiceFunctionArgs(name: string, args: ServiceFunctionArgs): void {
  const problems = new ProblemList(`ServiceFunction "${name}"`);
  if (!FUNCTION_NAME.test(args.functionName)) problems.add('functionName', `must be 1–64 letters, digits, '-' or '_', got ${JSON.stringify(args.functionName)}`);
  if (args.runtime !== undefined && !RUNTIME.test(args.runtime)) problems.add('runtime', `must be nodejs22.x or newer, got ${JSON.stringify(args.runtime)}`);
  problems.range('memorySize', args.memorySize, 128, 10_240);
  problems.range('timeoutSeconds', args.timeoutSeconds, 1, 900);
  problems.logRetention('logRetentionDays', args.logRetentionDays);
  for (const statement of args.statements) {
    const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
    if (actions.some((action: string) => action.includes('*'))) problems.add('statements', `must name actions exactly, got ${JSON.stringify(statement.Action)}`);
  }
  problems.throwIfAny();
}

/**
 * A Lambda function built from one handler file: bundled with esbuild (minified, tree-shaken, source maps),
 * arm64 on a current Node.js runtime, X-Ray active, Powertools configured, its own log group with retention,
 * and a role that grants exactly the given statements plus its logs and traces.
 */
export class ServiceFunction extends pulumi.ComponentResource {
  readonly function: lambda.Function;
  readonly functionName: pulumi.Output<string>;
  readonly functionArn: pulumi.Output<string>;
  readonly roleName: pulumi.Output<string>;

  constructor(name: string, args: ServiceFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    super('eventflow:infra:ServiceFunction', name, {}, opts);
    validateServiceFunctionArgs(name, args);
    const parent = { parent: this };
    const bundle = args.bundle ?? bundleHandlers([args.handlerFile]).then((bundles) => bundles.get(args.handlerFile));
    const code = pulumi.output(
      bundle.then((files) => {
        if (!files?.has(ENTRY_FILE)) throw new InfraDefinitionError(`ServiceFunction "${name}": esbuild produced no bundle for ${args.handlerFile}`);
        return new pulumi.asset.FileArchive(writeFunctionFolder(args.functionName, files, CATALOG_DIR));
      }),
    );

    const logGroup = new cloudwatch.LogGroup(`${name}-logs`, { name: `/aws/lambda/${args.functionName}`, retentionInDays: args.logRetentionDays ?? FUNCTION_DEFAULTS.logRetentionDays }, parent);
    const role = new iam.Role(`${name}-role`, { assumeRolePolicy: assumeRolePolicy('lambda.amazonaws.com') }, parent);
    new iam.RolePolicy(
      `${name}-policy`,
      {
        role: role.name,
        policy: policyDocument([
          { Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: pulumi.interpolate`${logGroup.arn}:*` },
          // X-Ray accepts no resource-level permissions: `*` is the only resource AWS allows here.
          { Sid: 'Traces', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
          ...args.statements,
        ]),
      },
      parent,
    );
    this.roleName = role.name;

    this.function = new lambda.Function(
      `${name}-function`,
      {
        name: args.functionName,
        role: role.arn,
        runtime: args.runtime ?? FUNCTION_DEFAULTS.runtime,
        architectures: [FUNCTION_DEFAULTS.architecture],
        handler: 'index.handler',
        memorySize: args.memorySize ?? FUNCTION_DEFAULTS.memorySize,
        timeout: args.timeoutSeconds ?? FUNCTION_DEFAULTS.timeoutSeconds,
        tracingConfig: { mode: 'Active' },
        loggingConfig: { logFormat: 'JSON', logGroup: logGroup.name },
        code,
        environment: {
          variables: {
            NODE_OPTIONS: '--enable-source-maps',
            EVENTFLOW_CATALOG_DIR: '/var/task/catalog',
            POWERTOOLS_SERVICE_NAME: args.service,
            POWERTOOLS_LOG_LEVEL: 'INFO',
            POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
            ...(args.metricsNamespace !== undefined ? { POWERTOOLS_METRICS_NAMESPACE: args.metricsNamespace } : {}),
            ...args.environment,
          },
        },
      },
      { parent: this, dependsOn: [logGroup] },
    );
    this.functionName = this.function.name;
    this.functionArn = this.function.arn;
    this.registerOutputs({ functionName: this.functionName, functionArn: this.functionArn, roleName: this.roleName });
  }
}
