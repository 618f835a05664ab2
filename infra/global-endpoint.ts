// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as cloudwatch from '@pulumi/aws/cloudwatch';
import * as iam from '@pulumi/aws/iam';
import * as route53 from '@pulumi/aws/route53';
import * as pulumi from '@pulumi/pulumi';
import { ProblemList } from './errors';
import { assumeRolePolicy, policyDocument } from './internal/policy';

export interface GlobalEndpointArgs {
  readonly endpointName: string;
  readonly primary: { readonly region: string; readonly eventBusArn: pulumi.Input<string> };
  /** The replica region and its bus of the same name (an EventBus made with that region's provider). */
  readonly secondary: { readonly region: string; readonly eventBusArn: pulumi.Input<string> };
  /** Seconds of p99-free average ingestion-to-invocation latency above which the primary is unhealthy. @default 30 */
  readonly unhealthyLatencySeconds?: number;
}

export function validateGlobalEndpointArgs(name: string, args: GlobalEndpointArgs): void {
  const problems = new ProblemList(`GlobalEndpoint "${name}"`);
  if (args.primary.region === args.secondary.region) problems.add('secondary.region', `must differ from the primary region, got ${JSON.stringify(args.secondary.region)}`);
  if (!/^[A-Za-z0-9-]{1,64}$/.test(args.endpointName)) problems.add('endpointName', `must be 1–64 letters, digits or '-', got ${JSON.stringify(args.endpointName)}`);
  problems.range('unhealthyLatencySeconds', args.unhealthyLatencySeconds, 1, 3600);
  problems.throwIfAny();
}

/**
 * An EventBridge global endpoint: the bus replicated to a second region, a Route 53 health check on a
 * CloudWatch alarm of the primary's IngestionToInvocationStartLatency, and failover routing. Publishers pass
 * `endpointId` to PutEvents (the event library signs it with SigV4a).
 *
 * The health alarm treats missing data as breaching: with no metric at all the primary cannot show it is
 * healthy, so keep events flowing (a steady trickle of real or heartbeat events) to avoid a needless failover.
 */
export class GlobalEndpoint extends pulumi.ComponentResource {
  readonly endpointId: pulumi.Output<string>;
  readonly endpointUrl: pulumi.Output<string>;
  readonly endpointArn: pulumi.Output<string>;
  readonly secondaryEventBusArn: pulumi.Output<string>;

  constructor(name: string, args: GlobalEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    super('eventflow:infra:GlobalEndpoint', name, {}, opts);
    validateGlobalEndpointArgs(name, args);
    const parent = { parent: this };
    this.secondaryEventBusArn = pulumi.output(args.secondary.eventBusArn);

    const health = new cloudwatch.MetricAlarm(
      `${name}-primary-health`,
      {
        name: `${args.endpointName}-primary-latency`,
        namespace: 'AWS/Events',
        metricName: 'IngestionToInvocationStartLatency',
        statistic: 'Average',
        period: 60,
        evaluationPeriods: 5,
        threshold: (args.unhealthyLatencySeconds ?? 30) * 1000,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'breaching',
        alarmDescription: 'Primary region of the global endpoint is unhealthy: events are not reaching targets in time',
      },
      parent,
    );
    const healthCheck = new route53.HealthCheck(
      `${name}-health-check`,
      { type: 'CLOUDWATCH_METRIC', cloudwatchAlarmName: health.name, cloudwatchAlarmRegion: args.primary.region, insufficientDataHealthStatus: 'LastKnownStatus', tags: { Name: `${args.endpointName}-primary` } },
      parent,
    );

    const replication = new iam.Role(`${name}-replication-role`, { assumeRolePolicy: assumeRolePolicy('events.amazonaws.com') }, parent);
    new iam.RolePolicy(
      `${name}-replication-policy`,
      { role: replication.name, policy: policyDocument([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: [args.primary.eventBusArn, args.secondary.eventBusArn] }]) },
      parent,
    );

    const endpoint = new cloudwatch.EventEndpoint(
      `${name}-endpoint`,
      {
        name: args.endpointName,
        eventBuses: [{ eventBusArn: args.primary.eventBusArn }, { eventBusArn: args.secondary.eventBusArn }],
        replicationConfig: { state: 'ENABLED' },
        roleArn: replication.arn,
        routingConfig: { failoverConfig: { primary: { healthCheck: healthCheck.arn }, secondary: { route: args.secondary.region } } },
      },
      parent,
    );
    this.endpointArn = endpoint.arn;
    this.endpointUrl = endpoint.endpointUrl;
    // PutEvents takes the endpoint id, the host label in front of `.endpoint.events.`: https://<id>.endpoint.events.amazonaws.com
    this.endpointId = endpoint.endpointUrl.apply((url) => new URL(url).hostname.split('.endpoint.events.')[0] ?? url);
    this.registerOutputs({ endpointId: this.endpointId, endpointUrl: this.endpointUrl, endpointArn: this.endpointArn, secondaryEventBusArn: this.secondaryEventBusArn });
  }
}
