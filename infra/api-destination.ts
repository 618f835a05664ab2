// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as cloudwatch from '@pulumi/aws/cloudwatch';
import type * as types from '@pulumi/aws/types';
import * as pulumi from '@pulumi/pulumi';
import type { EventPattern } from '../model/patterns';
import { API_DESTINATION_DEFAULTS } from '../model/limits';
import { ProblemList } from './errors';
import { Subscription, type RetryPolicyArgs } from './subscription';

/** How EventBridge authenticates to the endpoint; secret values must be Pulumi secrets (e.g. `config.requireSecret`). */
export type ConnectionAuth =
  | { readonly type: 'API_KEY'; readonly apiKeyName: string; readonly apiKeyValue: pulumi.Output<string> }
  | { readonly type: 'BASIC'; readonly username: string; readonly password: pulumi.Output<string> }
  | {
      readonly type: 'OAUTH_CLIENT_CREDENTIALS';
      readonly authorizationEndpoint: string;
      readonly clientId: string;
      readonly clientSecret: pulumi.Output<string>;
      readonly httpMethod?: 'GET' | 'POST' | 'PUT';
    };

export { API_DESTINATION_DEFAULTS };

export interface ApiDestinationArgs {
  readonly eventBusName: pulumi.Input<string>;
  readonly destinationName: string;
  /** HTTPS endpoint. EventBridge waits at most 5 seconds for its answer; slower endpoints count as failures and are retried. */
  readonly endpoint: string;
  /** @default 'POST' */
  readonly httpMethod?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
  /** Invocations per second, 1–300 (the default account quota). */
  readonly rateLimitPerSecond: number;
  readonly auth: ConnectionAuth;
  /** The rule's pattern, from the model. */
  readonly pattern: EventPattern;
  readonly ruleName: string;
  /** @default API_DESTINATION_DEFAULTS */
  readonly retryPolicy?: RetryPolicyArgs;
}

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** Checks ApiDestination arguments; throws one error listing every problem. */
export function validateApiDestinationArgs(name: string, args: ApiDestinationArgs): void {
  const problems = new ProblemList(`ApiDestination "${name}"`);
  if (!/^https:\/\/[^\s/]+/.test(args.endpoint)) problems.add('endpoint', `must be an https:// URL, got ${JSON.stringify(args.endpoint)}`);
  if (args.httpMethod !== undefined && !HTTP_METHODS.includes(args.httpMethod)) problems.add('httpMethod', `must be one of ${HTTP_METHODS.join(', ')}, got ${JSON.stringify(args.httpMethod)}`);
  problems.range('rateLimitPerSecond', args.rateLimitPerSecond, 1, 300);
  if (args.auth.type === 'API_KEY' && args.auth.apiKeyName.trim() === '') problems.add('auth.apiKeyName', 'must not be empty');
  if (args.auth.type === 'OAUTH_CLIENT_CREDENTIALS' && !args.auth.authorizationEndpoint.startsWith('https://')) {
    problems.add('auth.authorizationEndpoint', `must be an https:// URL, got ${JSON.stringify(args.auth.authorizationEndpoint)}`);
  }
  problems.throwIfAny();
}

/**
 * Calls an external HTTP API from the bus: a connection holding the credentials (kept in Secrets Manager by
 * EventBridge), an API destination with a rate limit, and a rule with role, DLQ and retry policy.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html
 */
export class ApiDestination extends pulumi.ComponentResource {
  readonly apiDestinationArn: pulumi.Output<string>;
  readonly connectionArn: pulumi.Output<string>;
  readonly subscription: Subscription;

  constructor(name: string, args: ApiDestinationArgs, opts?: pulumi.ComponentResourceOptions) {
    super('eventflow:infra:ApiDestination', name, {}, opts);
    validateApiDestinationArgs(name, args);
    const parent = { parent: this };
    const connection = new cloudwatch.EventConnection(
      `${name}-connection`,
      { name: `${args.destinationName}-connection`, authorizationType: args.auth.type, authParameters: authParameters(args.auth), description: `Credentials for ${args.destinationName}` },
      parent,
    );
    const destination = new cloudwatch.EventApiDestination(
      `${name}-destination`,
      { name: args.destinationName, connectionArn: connection.arn, invocationEndpoint: args.endpoint, httpMethod: args.httpMethod ?? 'POST', invocationRateLimitPerSecond: args.rateLimitPerSecond },
      parent,
    );
    this.connectionArn = connection.arn;
    this.apiDestinationArn = destination.arn;
    this.subscription = new Subscription(
      `${name}-subscription`,
      {
        eventBusName: args.eventBusName,
        ruleName: args.ruleName,
        pattern: args.pattern,
        target: { kind: 'api-destination', apiDestinationArn: destination.arn },
        retryPolicy: { ...API_DESTINATION_DEFAULTS, ...args.retryPolicy },
      },
      parent,
    );
    this.registerOutputs({ apiDestinationArn: this.apiDestinationArn, connectionArn: this.connectionArn });
  }
}

function authParameters(auth: ConnectionAuth): types.input.cloudwatch.EventConnectionAuthParameters {
  switch (auth.type) {
    case 'API_KEY':
      return { apiKey: { key: auth.apiKeyName, value: pulumi.secret(auth.apiKeyValue) } };
    case 'BASIC':
      return { basic: { username: auth.username, password: pulumi.secret(auth.password) } };
    case 'OAUTH_CLIENT_CREDENTIALS':
      return {
        oauth: {
          authorizationEndpoint: auth.authorizationEndpoint,
          httpMethod: auth.httpMethod ?? 'POST',
          clientParameters: { clientId: auth.clientId, clientSecret: pulumi.secret(auth.clientSecret) },
          oauthHttpParameters: {},
        },
      };
  }
}
