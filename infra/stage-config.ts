import { STAGE_NAME, stagePrefix } from '../model/deployment';
import { ConfigValidationError } from './errors';
import { LOG_RETENTION_RULE, REGION_PATTERN, isLogRetentionDays } from '../model/limits';
import { CREDENTIAL_RULE, OAUTH_TOKEN_METHODS, TOKEN_ENDPOINT_RULE, isCredentialText, isOAuthTokenMethod, isTokenEndpoint, scopesProblem, type OAuthTokenMethod } from './internal/connection-limits';

/** A stage's settings, from `Pulumi.<stage>.yaml` (namespace `eventflow`), checked. */
export interface StageConfig {
  readonly region: string;
  readonly stage: string;
  readonly accountId: string;
  readonly publishers: { readonly accountIds: readonly string[] } | { readonly organizationId: string };
  readonly archiveRetentionDays: number;
  readonly logRetentionDays: number;
  readonly lambdaRuntime: string;
  readonly sagaType: 'STANDARD' | 'EXPRESS';
  readonly globalEndpoint?: { readonly secondaryRegion: string };
  readonly paymentsAccount?: { readonly accountId: string; readonly region: string; readonly deployRoleArn: string };
  readonly deliveryProvider: {
    readonly endpoint: string;
    readonly httpMethod: 'POST' | 'PUT';
    readonly rateLimitPerSecond: number;
  } & DeliveryProviderAuth;
  readonly senderEmail: string;
  readonly alarmEmail?: string;
}

type Raw = Record<string, unknown>;

/** How EventBridge authenticates to the delivery provider (the connection's `AuthorizationType`). */
export type DeliveryAuthorization = 'API_KEY' | 'BASIC' | 'OAUTH_CLIENT_CREDENTIALS';

/**
 * The plain settings of each authorization type; its credential is a secret of its own ({@link DELIVERY_PROVIDER_SECRET_KEYS}).
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateConnection.html
 */
export type DeliveryProviderAuth =
  | {
      readonly authorization: 'API_KEY';
      /** The header EventBridge sends the key in. */
      readonly apiKeyName: string;
    }
  | {
      readonly authorization: 'BASIC';
      readonly basic: { readonly username: string };
    }
  | {
      readonly authorization: 'OAUTH_CLIENT_CREDENTIALS';
      readonly oauth: {
        /** Where EventBridge exchanges the client id and secret for an access token (the connection's `AuthorizationEndpoint`). */
        readonly tokenEndpoint: string;
        readonly clientId: string;
        /** Sent as the token request's `scope` parameter, space-separated; none sends no `scope`. */
        readonly scopes: readonly string[];
        /** How EventBridge calls the token endpoint. */
        readonly httpMethod: OAuthTokenMethod;
      };
    };

/**
 * The secret config key (namespace `eventflow`) holding each authorization type's credential. The program reads only
 * the one its authorization type needs, with `requireSecret`; these are never parsed with the plain settings.
 */
export const DELIVERY_PROVIDER_SECRET_KEYS = {
  API_KEY: 'deliveryProviderApiKey',
  BASIC: 'deliveryProviderPassword',
  OAUTH_CLIENT_CREDENTIALS: 'deliveryProviderClientSecret',
} as const satisfies Record<DeliveryAuthorization, string>;

/** Every secret of a stage's configuration, as full Pulumi config keys; the policy pack checks none leaks in plain text. */
export const SECRET_CONFIG_KEYS: readonly string[] = Object.values(DELIVERY_PROVIDER_SECRET_KEYS).map((key) => `eventflow:${key}`);

/** The plain settings each authorization type takes under `eventflow:deliveryProvider`, beside the common ones. */
const AUTH_SETTINGS: Readonly<Record<DeliveryAuthorization, string>> = { API_KEY: 'apiKeyName', BASIC: 'basic', OAUTH_CLIENT_CREDENTIALS: 'oauth' };
const AUTHORIZATIONS: readonly DeliveryAuthorization[] = ['API_KEY', 'BASIC', 'OAUTH_CLIENT_CREDENTIALS'];
const DELIVERY_SETTINGS = ['endpoint', 'httpMethod', 'rateLimitPerSecond', 'authorization', ...Object.values(AUTH_SETTINGS)];
const OAUTH_SETTINGS = ['tokenEndpoint', 'clientId', 'scopes', 'httpMethod'];
const BASIC_SETTINGS = ['username'];
/** Where a credential written among the plain settings belongs instead. */
const MISPLACED_SECRETS: Readonly<Record<string, DeliveryAuthorization>> = { apiKey: 'API_KEY', apiKeyValue: 'API_KEY', password: 'BASIC', clientSecret: 'OAUTH_CLIENT_CREDENTIALS' };

const isAuthorization = (value: unknown): value is DeliveryAuthorization => AUTHORIZATIONS.some((authorization) => authorization === value);

/** The prefix of every resource name of a stage, and the name of its event bus in every region. */
export function resourcePrefix(stage: string): string {
  return stagePrefix(stage);
}

/** The `eventflow:*` settings of a flat Pulumi config map (`eventflow:stage` → `stage`), secrets left out. */
export function stageSettings(all: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(all).flatMap(([key, value]) => {
      const name = key.startsWith('eventflow:') ? key.slice('eventflow:'.length) : undefined;
      return name && !SECRET_CONFIG_KEYS.includes(key) ? [[name, value]] : [];
    }),
  );
}

/**
 * Checks raw stage settings (values as Pulumi config holds them: strings, or parsed objects) and returns them
 * typed. Throws {@link ConfigValidationError} naming every bad key with its allowed values and what it got.
 * @param setKeys every config key the stack sets (`eventflow:deliveryProviderApiKey`, …), names only: with it, a
 *   missing secret of the delivery provider's authorization type is one more problem listed. Secret values are
 *   never read here.
 */
export function parseStageConfig(raw: Raw, region: string | undefined, file = 'Pulumi.<stage>.yaml', setKeys?: readonly string[]): StageConfig {
  const problems: Array<{ resource: string; property: string; message: string }> = [];
  const bad = (key: string, message: string) => problems.push({ resource: file, property: `eventflow:${key}`, message });
  const text = (key: string, value: unknown, pattern: RegExp, rule: string): string => {
    if (typeof value !== 'string' || !pattern.test(value)) bad(key, `must be ${rule}, got ${JSON.stringify(value)}`);
    return String(value);
  };
  const integer = (key: string, value: unknown, min: number, max: number, fallback: number): number => {
    if (value === undefined) return fallback;
    const number = typeof value === 'string' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) bad(key, `must be an integer between ${min} and ${max}, got ${JSON.stringify(value)}`);
    return Number(number);
  };
  const object = (key: string): Raw | undefined => {
    const value = raw[key];
    if (value === undefined) return undefined;
    const parsed = typeof value === 'string' ? safeParse(value) : value;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      bad(key, `must be an object, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return parsed as Raw;
  };
  const ACCOUNT = /^\d{12}$/;

  if (typeof region !== 'string' || !REGION_PATTERN.test(region))
    problems.push({ resource: file, property: 'aws:region', message: `must be an AWS region such as eu-west-1, got ${JSON.stringify(region)}` });
  const stage = text('stage', raw.stage, STAGE_NAME, 'lower-case letters, digits and hyphens, at most 16 characters');
  const accountId = text('accountId', raw.accountId, ACCOUNT, 'a 12-digit account id');

  const allowed = raw.allowedAccountIds === undefined ? undefined : typeof raw.allowedAccountIds === 'string' ? safeParse(raw.allowedAccountIds) : raw.allowedAccountIds;
  const organizationId = raw.organizationId;
  let publishers: StageConfig['publishers'] = { accountIds: [accountId] };
  if (allowed !== undefined && organizationId !== undefined) bad('allowedAccountIds', "only one of 'eventflow:allowedAccountIds' or 'eventflow:organizationId' may be set");
  else if (organizationId !== undefined) publishers = { organizationId: text('organizationId', organizationId, /^o-[a-z0-9]{10,32}$/, 'an AWS Organization id such as o-abcdefghij') };
  else if (allowed !== undefined) {
    if (!Array.isArray(allowed) || allowed.length === 0 || allowed.some((id) => typeof id !== 'string' || !ACCOUNT.test(id)))
      bad('allowedAccountIds', `must be a non-empty list of 12-digit account ids, got ${JSON.stringify(allowed)}`);
    else publishers = { accountIds: allowed as string[] };
  }

  const sagaType = raw.sagaType ?? 'STANDARD';
  if (sagaType !== 'STANDARD' && sagaType !== 'EXPRESS') bad('sagaType', `must be one of STANDARD, EXPRESS, got ${JSON.stringify(sagaType)}`);
  const lambdaRuntime = raw.lambdaRuntime === undefined ? 'nodejs22.x' : text('lambdaRuntime', raw.lambdaRuntime, /^nodejs(2[2-9]|[3-9]\d)\.x$/, 'nodejs22.x or newer');

  const endpoint = object('globalEndpoint');
  let globalEndpoint: StageConfig['globalEndpoint'];
  if (endpoint && endpoint.enabled !== false) {
    if (endpoint.secondaryRegion === undefined) bad('globalEndpoint.secondaryRegion', 'is required when the global endpoint is enabled');
    else {
      const secondaryRegion = text('globalEndpoint.secondaryRegion', endpoint.secondaryRegion, REGION_PATTERN, 'an AWS region such as eu-central-1');
      if (secondaryRegion === region) bad('globalEndpoint.secondaryRegion', `must differ from aws:region (${region})`);
      globalEndpoint = { secondaryRegion };
    }
  }

  const payments = object('paymentsAccount');
  const paymentsAccount = payments
    ? {
        accountId: text('paymentsAccount.accountId', payments.accountId, ACCOUNT, 'a 12-digit account id'),
        region: text('paymentsAccount.region', payments.region ?? region, REGION_PATTERN, 'an AWS region such as eu-west-1'),
        deployRoleArn: text('paymentsAccount.deployRoleArn', payments.deployRoleArn, /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'an IAM role ARN in the payments account'),
      }
    : undefined;
  if (paymentsAccount && paymentsAccount.accountId === accountId) bad('paymentsAccount.accountId', 'must differ from eventflow:accountId: the route is cross-account');

  const delivery = object('deliveryProvider') ?? {};
  if (raw.deliveryProvider === undefined) bad('deliveryProvider', 'is required: the endpoint, method, rate limit and authorization of the delivery provider');
  const httpMethod = delivery.httpMethod ?? 'POST';
  if (httpMethod !== 'POST' && httpMethod !== 'PUT') bad('deliveryProvider.httpMethod', `must be one of POST, PUT, got ${JSON.stringify(httpMethod)}`);
  const authorization = delivery.authorization ?? 'API_KEY';
  if (!isAuthorization(authorization)) bad('deliveryProvider.authorization', `must be one of ${AUTHORIZATIONS.join(', ')}, got ${JSON.stringify(authorization)}`);
  const deliveryProvider = {
    endpoint: text('deliveryProvider.endpoint', delivery.endpoint, /^https:\/\/[^\s/]+/, 'an https:// URL'),
    httpMethod: httpMethod as 'POST' | 'PUT',
    rateLimitPerSecond: integer('deliveryProvider.rateLimitPerSecond', delivery.rateLimitPerSecond, 1, 300, 10),
    ...deliveryAuth(delivery, isAuthorization(authorization) ? authorization : undefined, bad),
  };
  if (setKeys && isAuthorization(authorization) && !setKeys.includes(`eventflow:${DELIVERY_PROVIDER_SECRET_KEYS[authorization]}`))
    bad(DELIVERY_PROVIDER_SECRET_KEYS[authorization], `is required with authorization ${authorization}: ${setSecret(authorization)}`);

  const logRetentionDays = integer('logRetentionDays', raw.logRetentionDays, 1, 3653, 14);
  // Inside the range is not enough: CloudWatch Logs rejects 10 at deployment, long after preview said yes.
  if (problems.every((p) => p.property !== 'eventflow:logRetentionDays') && !isLogRetentionDays(logRetentionDays))
    bad('logRetentionDays', `must be ${LOG_RETENTION_RULE}, got ${JSON.stringify(raw.logRetentionDays)}`);

  const notifications = object('notifications') ?? {};
  const senderEmail = text('notifications.senderEmail', notifications.senderEmail, /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an e-mail address verified in SES');
  const alarmEmail = raw.alarmEmail === undefined ? undefined : text('alarmEmail', raw.alarmEmail, /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an e-mail address');

  const config: StageConfig = {
    region: String(region),
    stage,
    accountId,
    publishers,
    archiveRetentionDays: integer('archiveRetentionDays', raw.archiveRetentionDays, 0, 36_500, 30),
    logRetentionDays,
    lambdaRuntime,
    sagaType: sagaType as StageConfig['sagaType'],
    ...(globalEndpoint ? { globalEndpoint } : {}),
    ...(paymentsAccount ? { paymentsAccount } : {}),
    deliveryProvider,
    senderEmail,
    ...(alarmEmail ? { alarmEmail } : {}),
  };
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return config;
}

type Report = (key: string, message: string) => void;

/** How to set an authorization type's credential, as messages state it. */
function setSecret(authorization: DeliveryAuthorization): string {
  return `set it as a secret with \`pulumi config set --secret eventflow:${DELIVERY_PROVIDER_SECRET_KEYS[authorization]} <value>\``;
}

/**
 * The authorization settings of the delivery provider: those of its type, checked against what CreateConnection
 * accepts; those of another type, and unknown keys, reported (a credential among them only by name, never its value).
 */
function deliveryAuth(delivery: Raw, authorization: DeliveryAuthorization | undefined, bad: Report): DeliveryProviderAuth {
  for (const key of Object.keys(delivery)) if (!DELIVERY_SETTINGS.includes(key)) bad(`deliveryProvider.${key}`, unknownSetting('the delivery provider', DELIVERY_SETTINGS, key));
  // An unknown type is already reported; this stand-in is never returned, since parseStageConfig then throws.
  if (authorization === undefined) return { authorization: 'API_KEY', apiKeyName: '' };
  for (const other of AUTHORIZATIONS) {
    const setting = AUTH_SETTINGS[other];
    if (other !== authorization && delivery[setting] !== undefined) bad(`deliveryProvider.${setting}`, `must not be set with authorization ${authorization}: it configures ${other}`);
  }
  const required = (key: string, value: unknown, valid: (value: unknown) => value is string, rule: string): string => {
    if (value === undefined) bad(key, `is required with authorization ${authorization}: ${rule}`);
    else if (!valid(value)) bad(key, `must be ${rule}, got ${JSON.stringify(value)}`);
    return valid(value) ? value : '';
  };
  const nested = (setting: string, allowed: readonly string[]): Raw => {
    const value = delivery[setting];
    if (value === undefined) return {};
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      // Its type, not its value: a string here may well be a credential written in the wrong place.
      bad(`deliveryProvider.${setting}`, `must be an object with ${allowed.join(', ')}, got ${Array.isArray(value) ? 'a list' : value === null ? 'null' : `a ${typeof value}`}`);
      return {};
    }
    const settings = Object.fromEntries(Object.entries(value));
    for (const key of Object.keys(settings)) if (!allowed.includes(key)) bad(`deliveryProvider.${setting}.${key}`, unknownSetting(setting, allowed, key));
    return settings;
  };

  switch (authorization) {
    case 'API_KEY':
      return { authorization, apiKeyName: required('deliveryProvider.apiKeyName', delivery.apiKeyName ?? 'x-api-key', isHeaderName, 'an HTTP header name of 1 to 128 letters, digits, - or _') };
    case 'BASIC': {
      const basic = nested('basic', BASIC_SETTINGS);
      return { authorization, basic: { username: required('deliveryProvider.basic.username', basic.username, isCredentialText, `a user name: ${CREDENTIAL_RULE}`) } };
    }
    case 'OAUTH_CLIENT_CREDENTIALS': {
      const oauth = nested('oauth', OAUTH_SETTINGS);
      const method = oauth.httpMethod ?? 'POST';
      if (!isOAuthTokenMethod(method)) bad('deliveryProvider.oauth.httpMethod', `must be one of ${OAUTH_TOKEN_METHODS.join(', ')}, got ${JSON.stringify(method)}`);
      const httpMethod = isOAuthTokenMethod(method) ? method : 'POST';
      const scopes = oauth.scopes ?? [];
      const scopeProblem = scopesProblem(scopes, httpMethod);
      if (scopeProblem) bad('deliveryProvider.oauth.scopes', scopeProblem);
      return {
        authorization,
        oauth: {
          tokenEndpoint: required('deliveryProvider.oauth.tokenEndpoint', oauth.tokenEndpoint, isTokenEndpoint, TOKEN_ENDPOINT_RULE),
          clientId: required('deliveryProvider.oauth.clientId', oauth.clientId, isCredentialText, `a client id: ${CREDENTIAL_RULE}`),
          scopes: Array.isArray(scopes) ? scopes.map(String) : [],
          httpMethod,
        },
      };
    }
  }
}

const isHeaderName = (value: unknown): value is string => typeof value === 'string' && /^[A-Za-z0-9-_]{1,128}$/.test(value);

/** An unknown key's message: what the object takes, and where a credential written there belongs. */
function unknownSetting(object: string, allowed: readonly string[], key: string): string {
  const secretOf = MISPLACED_SECRETS[key];
  return `is not a setting of ${object}, which takes ${allowed.join(', ')}${secretOf ? `; a credential does not belong among the plain settings: ${setSecret(secretOf)}` : ''}`;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
