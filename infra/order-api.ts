// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as apigatewayv2 from '@pulumi/aws/apigatewayv2';
import * as cloudwatch from '@pulumi/aws/cloudwatch';
import * as lambda from '@pulumi/aws/lambda';
import * as pulumi from '@pulumi/pulumi';
import { ProblemList } from './errors';
import { DEFAULT_LOG_RETENTION_DAYS } from '../model/limits';

export const ORDER_API_DEFAULTS = { throttlingRateLimit: 100, throttlingBurstLimit: 200, logRetentionDays: DEFAULT_LOG_RETENTION_DAYS } as const;

export interface OrderApiArgs {
  readonly apiName: string;
  /** One Lambda per route key (`POST /orders`, `GET /orders/{orderId}`), as the model's API actions declare. */
  readonly routes: ReadonlyArray<{ readonly routeKey: string; readonly functionName: pulumi.Input<string>; readonly functionArn: pulumi.Input<string> }>;
  /** Steady-state requests per second, 1–10,000. @default 100 */
  readonly throttlingRateLimit?: number;
  /** Burst, 1–5,000. @default 200 */
  readonly throttlingBurstLimit?: number;
  /** Days the access logs are kept: one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, …, 3653). @default 14 */
  readonly logRetentionDays?: number;
}

/** A route key as a logical-name segment: `GET /orders/{orderId}` → `GET-orders-orderId`. */
export function routeSlug(routeKey: string): string {
  return routeKey.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export function validateOrderApiArgs(name: string, args: OrderApiArgs): void {
  const problems = new ProblemList(`OrderApi "${name}"`);
  problems.range('throttlingRateLimit', args.throttlingRateLimit, 1, 10_000, false);
  problems.range('throttlingBurstLimit', args.throttlingBurstLimit, 1, 5_000);
  problems.logRetention('logRetentionDays', args.logRetentionDays);
  if (args.routes.length === 0) problems.add('routes', 'must name at least one route');
  const slugs = new Map<string, string>();
  for (const route of args.routes) {
    const other = slugs.get(routeSlug(route.routeKey));
    if (other !== undefined) problems.add('routes', `${JSON.stringify(route.routeKey)} and ${JSON.stringify(other)} would share resource names; make the routes differ in more than punctuation`);
    slugs.set(routeSlug(route.routeKey), route.routeKey);
  }
  problems.throwIfAny();
}

/**
 * An API Gateway HTTP API routing each model API action to its function, throttled, with JSON access logs.
 *
 * Request bodies are capped by AWS, not here: an HTTP API accepts at most 10 MB (a fixed quota that cannot be
 * changed) and a synchronous Lambda invocation at most 6 MB. A lower, configurable body limit needs AWS WAF or
 * request validation, and HTTP APIs support neither: that takes the REST API, planned separately.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vs-rest.html
 */
export class OrderApi extends pulumi.ComponentResource {
  readonly apiUrl: pulumi.Output<string>;
  readonly apiId: pulumi.Output<string>;

  constructor(name: string, args: OrderApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super('eventflow:infra:OrderApi', name, {}, opts);
    validateOrderApiArgs(name, args);
    const parent = { parent: this };
    const api = new apigatewayv2.Api(`${name}-api`, { name: args.apiName, protocolType: 'HTTP' }, parent);
    this.apiId = api.id;
    args.routes.forEach((route, index) => {
      // Named after the route, so adding or reordering routes replaces nothing; the alias keeps the resources
      // of stacks deployed when names were positions (`-integration-0`) instead of replacing them.
      const id = routeSlug(route.routeKey);
      const formerly = (kind: string) => ({ ...parent, aliases: [{ name: `${name}-${kind}-${index}` }] });
      const integration = new apigatewayv2.Integration(
        `${name}-integration-${id}`,
        { apiId: api.id, integrationType: 'AWS_PROXY', integrationUri: route.functionArn, payloadFormatVersion: '2.0', integrationMethod: 'POST' },
        formerly('integration'),
      );
      new apigatewayv2.Route(`${name}-route-${id}`, { apiId: api.id, routeKey: route.routeKey, target: pulumi.interpolate`integrations/${integration.id}` }, formerly('route'));
      new lambda.Permission(
        `${name}-invoke-${id}`,
        { action: 'lambda:InvokeFunction', function: route.functionName, principal: 'apigateway.amazonaws.com', sourceArn: pulumi.interpolate`${api.executionArn}/*/*` },
        formerly('invoke'),
      );
    });
    const accessLogs = new cloudwatch.LogGroup(`${name}-access-logs`, { name: `/aws/http-api/${args.apiName}`, retentionInDays: args.logRetentionDays ?? ORDER_API_DEFAULTS.logRetentionDays }, parent);
    const stage = new apigatewayv2.Stage(
      `${name}-stage`,
      {
        apiId: api.id,
        name: '$default',
        autoDeploy: true,
        defaultRouteSettings: {
          throttlingRateLimit: args.throttlingRateLimit ?? ORDER_API_DEFAULTS.throttlingRateLimit,
          throttlingBurstLimit: args.throttlingBurstLimit ?? ORDER_API_DEFAULTS.throttlingBurstLimit,
        },
        accessLogSettings: {
          destinationArn: accessLogs.arn,
          format: JSON.stringify({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status', latency: '$context.responseLatency', ip: '$context.identity.sourceIp' }),
        },
      },
      parent,
    );
    this.apiUrl = stage.invokeUrl;
    this.registerOutputs({ apiUrl: this.apiUrl, apiId: this.apiId });
  }
}
