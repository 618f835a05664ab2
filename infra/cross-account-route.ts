// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as cloudwatch from '@pulumi/aws/cloudwatch';
import * as pulumi from '@pulumi/pulumi';
import type { EventPattern } from '../model/patterns';
import { ProblemList } from './errors';
import { Subscription } from './subscription';

export interface CrossAccountRouteArgs {
  /** The bus in the source account the rule watches. */
  readonly sourceEventBusName: pulumi.Input<string>;
  readonly sourceAccountId: string;
  readonly ruleName: string;
  readonly pattern: EventPattern;
  /** The bus in the other account: its account, region and name. */
  readonly target: { readonly accountId: string; readonly region: string; readonly eventBusName: string };
  /** A provider for the target account, used for the target bus and its policy. */
  readonly targetProvider: pulumi.ProviderResource;
  /** Create the target bus too, rather than expecting it to exist. @default true */
  readonly createTargetBus?: boolean;
}

export function validateCrossAccountRouteArgs(name: string, args: CrossAccountRouteArgs): void {
  const problems = new ProblemList(`CrossAccountRoute "${name}"`);
  if (!/^\d{12}$/.test(args.target.accountId)) problems.add('target.accountId', `must be a 12-digit account id, got ${JSON.stringify(args.target.accountId)}`);
  if (!/^\d{12}$/.test(args.sourceAccountId)) problems.add('sourceAccountId', `must be a 12-digit account id, got ${JSON.stringify(args.sourceAccountId)}`);
  if (args.target.accountId === args.sourceAccountId) problems.add('target.accountId', 'must differ from the source account: use a Subscription within one account');
  problems.throwIfAny();
}

/**
 * Routes matching events to a bus in another account: a rule in the source account whose target is that bus,
 * with a role that may only PutEvents on it, and (through the target account's provider) the target bus policy
 * that admits the source account.
 */
export class CrossAccountRoute extends pulumi.ComponentResource {
  readonly targetEventBusArn: string;
  readonly ruleArn: pulumi.Output<string>;
  readonly ruleName: pulumi.Output<string>;
  /**
   * The route's dead-letter queue. Like the rule, it is made with the route's own provider (the source account and
   * the source bus's region), not `targetProvider`: watch it from there.
   */
  readonly deadLetterQueueName?: pulumi.Output<string>;

  constructor(name: string, args: CrossAccountRouteArgs, opts?: pulumi.ComponentResourceOptions) {
    super('eventflow:infra:CrossAccountRoute', name, {}, opts);
    validateCrossAccountRouteArgs(name, args);
    const { accountId, region, eventBusName } = args.target;
    this.targetEventBusArn = `arn:aws:events:${region}:${accountId}:event-bus/${eventBusName}`;
    const inTarget = { parent: this, provider: args.targetProvider };
    const targetBus = args.createTargetBus === false ? undefined : new cloudwatch.EventBus(`${name}-target-bus`, { name: eventBusName }, inTarget);
    const policy = new cloudwatch.EventBusPolicy(
      `${name}-target-policy`,
      {
        eventBusName: targetBus?.name ?? eventBusName,
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Sid: `From${args.sourceAccountId}`, Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${args.sourceAccountId}:root` }, Action: 'events:PutEvents', Resource: this.targetEventBusArn },
          ],
        }),
      },
      inTarget,
    );
    const route = new Subscription(
      `${name}-route`,
      { eventBusName: args.sourceEventBusName, ruleName: args.ruleName, pattern: args.pattern, target: { kind: 'event-bus', eventBusArn: this.targetEventBusArn } },
      { parent: this, dependsOn: [policy] },
    );
    this.ruleArn = route.ruleArn;
    this.ruleName = route.ruleName;
    this.deadLetterQueueName = route.deadLetterQueueName;
    this.registerOutputs({ targetEventBusArn: this.targetEventBusArn, ruleArn: this.ruleArn, ruleName: this.ruleName, deadLetterQueueName: this.deadLetterQueueName });
  }
}
