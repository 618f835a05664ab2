// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as cloudwatch from '@pulumi/aws/cloudwatch';
import type * as types from '@pulumi/aws/types';
import * as pulumi from '@pulumi/pulumi';
import type { EventPattern } from '../model/patterns';
import { API_DESTINATION_DEFAULTS } from '../model/limits';
import { ProblemList } from './errors';
import { CREDENTIAL_RULE, OAUTH_TOKEN_METHODS, TOKEN_ENDPOINT_RULE, isCredentialText, isOAuthTokenMethod, isTokenEndpoint, scopesProblem, type OAuthTokenMethod } from './internal/connection-limits';
import { Subscription, type RetryPolicyArgs } from './subscription';

/**
 * How EventBridge authenticates to the endpoint; secret values must be Pulumi secrets (e.g. `config.requireSecret`).
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateConnection.html
 */
export type ConnectionAuth =
  | { readonly type: 'API_KEY'; readonly apiKeyName: string; readonly apiKeyValue: pulumi.Output<string> }
  | {
      readonly type: 'BASIC';
      /** 1 to 512 characters, not blank, without ':' (it separates user and password) or control characters. */
      readonly username: string;
      readonly password: pulumi.Output<string>;
    }
  | {
      readonly type: 'OAUTH_CLIENT_CREDENTIALS';
      /** The token endpoint: https, at most 2048 characters. */
      readonly authorizationEndpoint: string;
      /** 1 to 512 characters, not blank, without ':' or control characters. */
      readonly clientId: string;
      readonly clientSecret: pulumi.Output<string>;
      /** How EventBridge calls the token endpoint. @default 'POST' */
      readonly httpMethod?: OAuthTokenMethod;
      /**
       * Sent to the token endpoint as one space-separated `scope` parameter: in the body, or in the query string
       * when `httpMethod` is GET (then at most 512 characters joined).
       * @default [] - no `scope` parameter
       */
      readonly scopes?: readonly string[];
    };

/** What an OAuth connection sends when not told otherwise. */
export const OAUTH_DEFAULTS = { httpMethod: 'POST', scopes: [] } as const satisfies { httpMethod: OAuthTokenMethod; scopes: readonly string[] };

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
  const auth = args.auth;
  if (auth.type === 'API_KEY' && auth.apiKeyName.trim() === '') problems.add('auth.apiKeyName', 'must not be empty');
  if (auth.type === 'BASIC' && !isCredentialText(auth.username)) problems.add('auth.username', `must be ${CREDENTIAL_RULE}, got ${JSON.stringify(auth.username)}`);
  if (auth.type === 'OAUTH_CLIENT_CREDENTIALS') {
    if (!isTokenEndpoint(auth.authorizationEndpoint)) problems.add('auth.authorizationEndpoint', `must be ${TOKEN_ENDPOINT_RULE}, got ${JSON.stringify(auth.authorizationEndpoint)}`);
    if (!isCredentialText(auth.clientId)) problems.add('auth.clientId', `must be ${CREDENTIAL_RULE}, got ${JSON.stringify(auth.clientId)}`);
    const method = auth.httpMethod ?? OAUTH_DEFAULTS.httpMethod;
    if (!isOAuthTokenMethod(method)) problems.add('auth.httpMethod', `must be one of ${OAUTH_TOKEN_METHODS.join(', ')}, got ${JSON.stringify(method)}`);
    const scopes = scopesProblem(auth.scopes ?? OAUTH_DEFAULTS.scopes, isOAuthTokenMethod(method) ? method : OAUTH_DEFAULTS.httpMethod);
    if (scopes) problems.add('auth.scopes', scopes);
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
    case 'OAUTH_CLIENT_CREDENTIALS': {
      const httpMethod = auth.httpMethod ?? OAUTH_DEFAULTS.httpMethod;
      return {
        oauth: {
          authorizationEndpoint: auth.authorizationEndpoint,
          httpMethod,
          clientParameters: { clientId: auth.clientId, clientSecret: pulumi.secret(auth.clientSecret) },
          oauthHttpParameters: scopeParameters(auth.scopes ?? OAUTH_DEFAULTS.scopes, httpMethod),
        },
      };
    }
  }
}

/**
 * The token request's `scope` (RFC 6749 §4.4.2): a form parameter of the body, except with GET, which has no body.
 * Not marked secret: a scope is no credential, and left readable it shows in DescribeConnection for whoever debugs
 * a refused token.
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ConnectionHttpParameters.html
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.4.2
 */
function scopeParameters(scopes: readonly string[], httpMethod: OAuthTokenMethod): types.input.cloudwatch.EventConnectionAuthParametersOauthOauthHttpParameters {
  if (scopes.length === 0) return {};
  const scope = [{ key: 'scope', value: scopes.join(' '), isValueSecret: false }];
  return httpMethod === 'GET' ? { queryStrings: scope } : { bodies: scope };
}
