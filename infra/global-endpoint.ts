// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as cloudwatch from '@pulumi/aws/cloudwatch';
import * as iam from '@pulumi/aws/iam';
import * as route53 from '@pulumi/aws/route53';
import * as pulumi from '@pulumi/pulumi';
import { EventflowError } from '../model/errors';
import { ENDPOINT_ID_MAX_LENGTH, ENDPOINT_ID_PATTERN } from '../model/limits';
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

/** The host of a global endpoint's URL after its id, as AWS documents it (`https://abcde.veo.endpoints.event.amazonaws.com`). */
const ENDPOINT_HOST_SUFFIX = '.endpoints.event.amazonaws.com';

export { ENDPOINT_ID_PATTERN } from '../model/limits';

/**
 * The id PutEvents takes (`EndpointId`), read from the endpoint URL AWS returns: the URL's subdomain, so
 * `https://abcde.veo.endpoints.event.amazonaws.com` gives `abcde.veo`. Throws, naming the URL, on anything else: a
 * wrong id would send every event to an endpoint that does not exist.
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Endpoint.html
 */
export function endpointIdFromUrl(url: string): string {
  const fail = (cause?: unknown) =>
    new EventflowError(
      `GlobalEndpoint: 'endpointUrl' must be https://<id>${ENDPOINT_HOST_SUFFIX} with an id matching ${ENDPOINT_ID_PATTERN.source} (1–${ENDPOINT_ID_MAX_LENGTH} characters), got ${JSON.stringify(url)}`,
      cause === undefined ? undefined : { cause },
    );
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw fail(cause);
  }
  const host = parsed.hostname;
  const id = host.endsWith(ENDPOINT_HOST_SUFFIX) ? host.slice(0, -ENDPOINT_HOST_SUFFIX.length) : '';
  const bare = parsed.protocol === 'https:' && parsed.port === '' && parsed.username === '' && parsed.pathname === '/' && parsed.search === '' && parsed.hash === '';
  if (!bare || id.length > ENDPOINT_ID_MAX_LENGTH || !ENDPOINT_ID_PATTERN.test(id)) throw fail();
  return id;
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
        // Named after its region, as every alarm of the stage is (an alarm lives in one region's CloudWatch).
        name: `${args.endpointName}-${args.primary.region}-primary-latency`,
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
      {
        type: 'CLOUDWATCH_METRIC',
        cloudwatchAlarmName: health.name,
        cloudwatchAlarmRegion: args.primary.region,
        insufficientDataHealthStatus: 'LastKnownStatus',
        tags: { Name: `${args.endpointName}-primary` },
      },
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
    this.endpointId = endpoint.endpointUrl.apply(endpointIdFromUrl);
    this.registerOutputs({ endpointId: this.endpointId, endpointUrl: this.endpointUrl, endpointArn: this.endpointArn, secondaryEventBusArn: this.secondaryEventBusArn });
  }
}
