// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as apigateway from '@pulumi/aws/apigateway';
import * as cloudwatch from '@pulumi/aws/cloudwatch';
import * as iam from '@pulumi/aws/iam';
import * as lambda from '@pulumi/aws/lambda';
import * as wafv2 from '@pulumi/aws/wafv2';
import * as pulumi from '@pulumi/pulumi';
import { createHash } from 'node:crypto';
import { ProblemList } from './errors';
import { API_BODY_LIMITS, BAD_REQUEST_BODY_RESPONSE, REQUEST_MODEL_CONTENT_TYPE, bodyTooLargeResponse } from '../model/api';
import { DEFAULT_LOG_RETENTION_DAYS } from '../model/limits';

export const ORDER_API_DEFAULTS = {
  throttlingRateLimit: 100,
  throttlingBurstLimit: 200,
  logRetentionDays: DEFAULT_LOG_RETENTION_DAYS,
  maxBodyBytes: API_BODY_LIMITS.maxBodyBytes,
  stageName: 'api',
} as const;

/** One route: a method on a path, the function behind it, and the model its body must follow. */
export interface OrderApiRoute {
  /** `POST /orders`, `GET /orders/{orderId}`. */
  readonly routeKey: string;
  readonly functionName: pulumi.Input<string>;
  readonly functionArn: pulumi.Input<string>;
  /** The request model: its name (letters and digits) and its JSON Schema text, validated before the function runs. */
  readonly requestModel?: { readonly name: string; readonly schema: string };
}

export interface OrderApiArgs {
  readonly apiName: string;
  /** One Lambda per route, as the model's API actions declare them. */
  readonly routes: readonly OrderApiRoute[];
  /** Steady-state requests per second, 1–10,000. @default 100 */
  readonly throttlingRateLimit?: number;
  /** Burst, 1–5,000. @default 200 */
  readonly throttlingBurstLimit?: number;
  /** Days the access logs are kept: one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, …, 3653). @default 14 */
  readonly logRetentionDays?: number;
  /**
   * Largest request body in bytes, 1–16,384, enforced by an AWS WAF web ACL on the stage (WAF inspects the first
   * 16 KB of a body behind API Gateway; a larger body counts as over the limit). @default 8192
   */
  readonly maxBodyBytes?: number;
  /** The stage, the first segment of every URL path. @default 'api' */
  readonly stageName?: string;
  /**
   * Sets the account's API Gateway CloudWatch role (account-wide, per region), which REST API access logs need. Turn
   * it off where another stack or the platform team already manages it. @default true
   */
  readonly manageAccountLogRole?: boolean;
}

/** A route key as a logical-name segment: `GET /orders/{orderId}` → `GET-orders-orderId`. */
export function routeSlug(routeKey: string): string {
  return routeKey.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE) (\/[A-Za-z0-9_{}-]+)+$/;
const MODEL_NAME = /^[A-Za-z0-9]{1,255}$/;

export function validateOrderApiArgs(name: string, args: OrderApiArgs): void {
  const problems = new ProblemList(`OrderApi "${name}"`);
  problems.range('throttlingRateLimit', args.throttlingRateLimit, 1, 10_000, false);
  problems.range('throttlingBurstLimit', args.throttlingBurstLimit, 1, 5_000);
  problems.range('maxBodyBytes', args.maxBodyBytes, 1, API_BODY_LIMITS.wafInspectionBytes);
  problems.logRetention('logRetentionDays', args.logRetentionDays);
  if (args.stageName !== undefined && !/^[A-Za-z0-9_-]{1,128}$/.test(args.stageName)) problems.add('stageName', `must be 1–128 letters, digits, '-' or '_', got ${JSON.stringify(args.stageName)}`);
  if (args.routes.length === 0) problems.add('routes', 'must name at least one route');
  const slugs = new Map<string, string>();
  args.routes.forEach((route, index) => {
    if (!ROUTE_KEY.test(route.routeKey)) problems.add(`routes[${index}].routeKey`, `must be '<METHOD> /path' with a method API Gateway routes, got ${JSON.stringify(route.routeKey)}`);
    if (route.requestModel && !MODEL_NAME.test(route.requestModel.name))
      problems.add(`routes[${index}].requestModel.name`, `must be letters and digits only, got ${JSON.stringify(route.requestModel.name)}`);
    const other = slugs.get(routeSlug(route.routeKey));
    if (other !== undefined) problems.add('routes', `${JSON.stringify(route.routeKey)} and ${JSON.stringify(other)} would share resource names; make the routes differ in more than punctuation`);
    slugs.set(routeSlug(route.routeKey), route.routeKey);
  });
  problems.throwIfAny();
}

/**
 * An API Gateway REST API routing each model API action to its function, validating request bodies at the gateway
 * as the 2024 talk does: a request validator and a model per body (the catalog's request contract), so a bad body
 * never reaches Lambda, and a BAD_REQUEST_BODY gateway response that returns the validator's messages as JSON. The
 * stage is throttled, traced with X-Ray, logs access as JSON, and sits behind a WAF web ACL whose one rule refuses a
 * body over the limit with 413. (A REST API rather than an HTTP API: HTTP APIs can neither validate a body nor take
 * a WAF web ACL.)
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-vs-rest.html
 */
export class OrderApi extends pulumi.ComponentResource {
  readonly apiUrl: pulumi.Output<string>;
  readonly apiId: pulumi.Output<string>;
  readonly stageArn: pulumi.Output<string>;
  readonly webAclArn: pulumi.Output<string>;

  constructor(name: string, args: OrderApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super('eventflow:infra:OrderApi', name, {}, opts);
    validateOrderApiArgs(name, args);
    const parent = { parent: this };
    const stageName = args.stageName ?? ORDER_API_DEFAULTS.stageName;
    const maxBodyBytes = args.maxBodyBytes ?? ORDER_API_DEFAULTS.maxBodyBytes;
    const api = new apigateway.RestApi(`${name}-rest-api`, { name: args.apiName, endpointConfiguration: { types: 'REGIONAL' }, description: 'eventflow order API' }, parent);
    this.apiId = api.id;
    const validator = new apigateway.RequestValidator(`${name}-validator`, { restApi: api.id, name: 'body-and-parameters', validateRequestBody: true, validateRequestParameters: true }, parent);
    const badBody = new apigateway.Response(
      `${name}-bad-request-body`,
      {
        restApiId: api.id,
        responseType: BAD_REQUEST_BODY_RESPONSE.responseType,
        statusCode: String(BAD_REQUEST_BODY_RESPONSE.statusCode),
        responseTemplates: { [BAD_REQUEST_BODY_RESPONSE.contentType]: BAD_REQUEST_BODY_RESPONSE.template },
      },
      parent,
    );

    // One resource per path prefix, shared by the routes under it (`/orders` is the parent of `/orders/{orderId}`).
    const resources = new Map<string, apigateway.Resource>();
    const resourceFor = (path: string): pulumi.Output<string> => {
      const segments = path.split('/').filter(Boolean);
      let parentId: pulumi.Output<string> = api.rootResourceId;
      segments.forEach((segment, index) => {
        const prefix = `/${segments.slice(0, index + 1).join('/')}`;
        let resource = resources.get(prefix);
        if (!resource) {
          resource = new apigateway.Resource(`${name}-resource-${routeSlug(prefix)}`, { restApi: api.id, parentId, pathPart: segment }, parent);
          resources.set(prefix, resource);
        }
        parentId = resource.id;
      });
      return parentId;
    };

    const children: pulumi.Resource[] = [validator, badBody];
    for (const route of args.routes) {
      const [method = '', path = ''] = route.routeKey.split(' ');
      const id = routeSlug(route.routeKey);
      const resourceId = resourceFor(path);
      const model = route.requestModel
        ? new apigateway.Model(`${name}-model-${id}`, { restApi: api.id, name: route.requestModel.name, contentType: 'application/json', schema: route.requestModel.schema }, parent)
        : undefined;
      const pathParameters = [...path.matchAll(/\{(\w+)\}/g)].map((match) => `method.request.path.${match[1]}`);
      const methodResource = new apigateway.Method(
        `${name}-method-${id}`,
        {
          restApi: api.id,
          resourceId,
          httpMethod: method,
          authorization: 'NONE',
          requestValidatorId: validator.id,
          ...(model ? { requestModels: { [REQUEST_MODEL_CONTENT_TYPE]: model.name } } : {}),
          ...(pathParameters.length > 0 ? { requestParameters: Object.fromEntries(pathParameters.map((parameter) => [parameter, true])) } : {}),
        },
        parent,
      );
      const region = pulumi.output(route.functionArn).apply((arn) => arn.split(':')[3] ?? '');
      const integration = new apigateway.Integration(
        `${name}-integration-${id}`,
        {
          restApi: api.id,
          resourceId,
          httpMethod: methodResource.httpMethod,
          type: 'AWS_PROXY',
          integrationHttpMethod: 'POST',
          // https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-request-basic-setup.html
          uri: pulumi.interpolate`arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${route.functionArn}/invocations`,
        },
        parent,
      );
      children.push(methodResource, integration, ...(model ? [model] : []));
      // Only this method on this path may invoke the function: `<execution ARN>/<stage>/<METHOD>/<path>`.
      const sourcePath = path.replace(/\{\w+\}/g, '*');
      new lambda.Permission(
        `${name}-invoke-${id}`,
        { action: 'lambda:InvokeFunction', function: route.functionName, principal: 'apigateway.amazonaws.com', sourceArn: pulumi.interpolate`${api.executionArn}/*/${method}${sourcePath}` },
        parent,
      );
    }

    // A deployment is a snapshot: a new one whenever a route, model or gateway response changes.
    const fingerprint = createHash('sha256')
      .update(JSON.stringify({ routes: args.routes.map((route) => [route.routeKey, route.requestModel ?? null]), badBody: BAD_REQUEST_BODY_RESPONSE.template }))
      .digest('hex');
    const deployment = new apigateway.Deployment(`${name}-deployment`, { restApi: api.id, triggers: { redeployment: fingerprint } }, { ...parent, dependsOn: children });

    const accessLogs = new cloudwatch.LogGroup(
      `${name}-access-logs`,
      { name: `/aws/apigateway/${args.apiName}`, retentionInDays: args.logRetentionDays ?? ORDER_API_DEFAULTS.logRetentionDays },
      parent,
    );
    const account = args.manageAccountLogRole === false ? undefined : this.accountLogRole(name, accessLogs.arn);
    const stage = new apigateway.Stage(
      `${name}-stage`,
      {
        restApi: api.id,
        deployment: deployment.id,
        stageName,
        xrayTracingEnabled: true,
        accessLogSettings: {
          destinationArn: accessLogs.arn,
          format: JSON.stringify({
            requestId: '$context.requestId',
            xrayTraceId: '$context.xrayTraceId',
            method: '$context.httpMethod',
            resourcePath: '$context.resourcePath',
            status: '$context.status',
            error: '$context.error.message',
            validationErrors: '$context.error.validationErrorString',
            latency: '$context.responseLatency',
            ip: '$context.identity.sourceIp',
          }),
        },
      },
      { ...parent, ...(account ? { dependsOn: [account] } : {}) },
    );
    new apigateway.MethodSettings(
      `${name}-method-settings`,
      {
        restApi: api.id,
        stageName: stage.stageName,
        methodPath: '*/*',
        settings: {
          throttlingRateLimit: args.throttlingRateLimit ?? ORDER_API_DEFAULTS.throttlingRateLimit,
          throttlingBurstLimit: args.throttlingBurstLimit ?? ORDER_API_DEFAULTS.throttlingBurstLimit,
          metricsEnabled: true,
        },
      },
      parent,
    );

    const tooLarge = bodyTooLargeResponse(maxBodyBytes);
    const webAcl = new wafv2.WebAcl(
      `${name}-waf`,
      {
        name: `${args.apiName}-body-limit`,
        scope: 'REGIONAL',
        defaultAction: { allow: {} },
        customResponseBodies: [{ key: 'body-too-large', contentType: 'APPLICATION_JSON', content: JSON.stringify(tooLarge.body) }],
        rules: [
          {
            name: 'body-size',
            priority: 0,
            action: { block: { customResponse: { responseCode: tooLarge.statusCode, customResponseBodyKey: 'body-too-large' } } },
            statement: {
              sizeConstraintStatement: {
                comparisonOperator: 'GT',
                size: maxBodyBytes,
                // Past what WAF inspects, a body counts as matching: too large.
                fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
                textTransformations: [{ priority: 0, type: 'NONE' }],
              },
            },
            visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: `${args.apiName}-body-size`, sampledRequestsEnabled: false },
          },
        ],
        visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: `${args.apiName}-waf`, sampledRequestsEnabled: false },
      },
      parent,
    );
    new wafv2.WebAclAssociation(`${name}-waf-association`, { resourceArn: stage.arn, webAclArn: webAcl.arn }, parent);

    this.apiUrl = stage.invokeUrl;
    this.stageArn = stage.arn;
    this.webAclArn = webAcl.arn;
    this.registerOutputs({ apiUrl: this.apiUrl, apiId: this.apiId, stageArn: this.stageArn, webAclArn: this.webAclArn });
  }

  /**
   * The account's API Gateway CloudWatch role, which a REST API stage needs before it can write access logs: a role
   * API Gateway assumes, allowed to write logs only (the actions of the managed AmazonAPIGatewayPushToCloudWatchLogs).
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
   */
  private accountLogRole(name: string, logGroupArn: pulumi.Output<string>): apigateway.Account {
    // Any log group of this account and region: the role is the account's, shared by every REST API in the region.
    const logGroups = logGroupArn.apply((arn) => `${arn.split(':log-group:')[0]}:log-group:*`);
    const role = new iam.Role(
      `${name}-cloudwatch-role`,
      {
        assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
      },
      { parent: this },
    );
    const policy = new iam.RolePolicy(
      `${name}-cloudwatch-logs`,
      {
        role: role.name,
        policy: logGroups.apply((resource) =>
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents', 'logs:GetLogEvents', 'logs:FilterLogEvents'],
                Resource: resource,
              },
              { Effect: 'Allow', Action: ['logs:DescribeLogGroups'], Resource: '*' },
            ],
          }),
        ),
      },
      { parent: this },
    );
    return new apigateway.Account(`${name}-account`, { cloudwatchRoleArn: role.arn }, { parent: this, dependsOn: [policy] });
  }
}
