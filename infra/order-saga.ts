// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as cloudwatch from '@pulumi/aws/cloudwatch';
import * as iam from '@pulumi/aws/iam';
import * as sfn from '@pulumi/aws/sfn';
import * as pulumi from '@pulumi/pulumi';
import type { Application } from '../model/application';
import { renderOrderSaga } from '../statemachines/order-saga';
import { ProblemList } from './errors';
import { assumeRolePolicy, policyDocument } from './internal/policy';
import { DEFAULT_LOG_RETENTION_DAYS } from '../model/limits';
import { InfraDefinitionError } from './errors';

export interface OrderSagaArgs {
  readonly stateMachineName: string;
  readonly app: Application;
  /** The function ARN of each saga action (`inventory.ReserveItem`). */
  readonly functionArns: Readonly<Record<string, pulumi.Input<string>>>;
  readonly eventBusName: pulumi.Input<string>;
  /** Where the events the saga states point `metadata.schema` (the region's schema bucket). @default - schema registry names */
  readonly schemaBaseUrl?: string;
  readonly eventBusArn: pulumi.Input<string>;
  /** @default 'STANDARD' */
  readonly type?: 'STANDARD' | 'EXPRESS';
  /** Days the execution logs are kept: one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, …, 3653). @default 14 */
  readonly logRetentionDays?: number;
}

/** Checks OrderSaga arguments; throws one error listing every problem. */
export function validateOrderSagaArgs(name: string, args: OrderSagaArgs): void {
  const problems = new ProblemList(`OrderSaga "${name}"`);
  problems.logRetention('logRetentionDays', args.logRetentionDays);
  problems.throwIfAny();
}

/**
 * The order saga's state machine: the ASL from `statemachines/`, rendered with this stage's function ARNs
 * and bus, a role that may invoke exactly those functions and put events on exactly that bus, full execution
 * logging and X-Ray tracing.
 */
export class OrderSaga extends pulumi.ComponentResource {
  readonly stateMachineArn: pulumi.Output<string>;
  readonly stateMachineName: pulumi.Output<string>;

  constructor(name: string, args: OrderSagaArgs, opts?: pulumi.ComponentResourceOptions) {
    super('eventflow:infra:OrderSaga', name, {}, opts);
    validateOrderSagaArgs(name, args);
    const parent = { parent: this };
    const arns = Object.entries(args.functionArns);
    const definition = pulumi
      .all([pulumi.output(args.eventBusName), pulumi.all(Object.fromEntries(arns))])
      .apply(([eventBusName, resolved]) =>
        JSON.stringify(renderOrderSaga(args.app, { eventBusName, functionArn: (id) => requireArn(resolved, id), ...(args.schemaBaseUrl ? { schemaBaseUrl: args.schemaBaseUrl } : {}) })),
      );

    const logGroup = new cloudwatch.LogGroup(`${name}-logs`, { name: `/aws/vendedlogs/states/${args.stateMachineName}`, retentionInDays: args.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS }, parent);
    const role = new iam.Role(`${name}-role`, { assumeRolePolicy: assumeRolePolicy('states.amazonaws.com') }, parent);
    new iam.RolePolicy(
      `${name}-policy`,
      {
        role: role.name,
        policy: policyDocument([
          { Sid: 'InvokeSagaTasks', Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: arns.map(([, arn]) => arn) },
          { Sid: 'PublishFacts', Effect: 'Allow', Action: 'events:PutEvents', Resource: args.eventBusArn },
          // Vended log delivery and X-Ray accept no resource-level permissions: `*` is what AWS requires.
          {
            Sid: 'LogDelivery',
            Effect: 'Allow',
            Action: [
              'logs:CreateLogDelivery',
              'logs:GetLogDelivery',
              'logs:UpdateLogDelivery',
              'logs:DeleteLogDelivery',
              'logs:ListLogDeliveries',
              'logs:PutResourcePolicy',
              'logs:DescribeResourcePolicies',
              'logs:DescribeLogGroups',
            ],
            Resource: '*',
          },
          { Sid: 'Traces', Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'], Resource: '*' },
        ]),
      },
      parent,
    );
    const machine = new sfn.StateMachine(
      `${name}-machine`,
      {
        name: args.stateMachineName,
        type: args.type ?? 'STANDARD',
        roleArn: role.arn,
        definition,
        loggingConfiguration: { logDestination: pulumi.interpolate`${logGroup.arn}:*`, includeExecutionData: true, level: 'ALL' },
        tracingConfiguration: { enabled: true },
      },
      parent,
    );
    this.stateMachineArn = machine.arn;
    this.stateMachineName = machine.name;
    this.registerOutputs({ stateMachineArn: this.stateMachineArn, stateMachineName: this.stateMachineName });
  }
}

function requireArn(arns: Record<string, string>, actionId: string): string {
  const arn = arns[actionId];
  if (!arn) throw new InfraDefinitionError(`OrderSaga: no function ARN given for saga action ${actionId}`);
  return arn;
}
