import { STAGE_NAME, stagePrefix } from '../model/deployment';
import { ConfigValidationError } from './errors';
import { LOG_RETENTION_RULE, REGION_PATTERN, isLogRetentionDays } from '../model/limits';

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
    readonly authorization: 'API_KEY' | 'BASIC' | 'OAUTH_CLIENT_CREDENTIALS';
    readonly apiKeyName: string;
  };
  readonly senderEmail: string;
  readonly alarmEmail?: string;
}

type Raw = Record<string, unknown>;

/** The stage's secret credential: read as a Pulumi secret by the program, never parsed with the plain settings. */
export const DELIVERY_PROVIDER_SECRET_KEY = 'deliveryProviderApiKey';

/** Every secret of a stage's configuration, as full Pulumi config keys; the policy pack checks none leaks in plain text. */
export const SECRET_CONFIG_KEYS: readonly string[] = [`eventflow:${DELIVERY_PROVIDER_SECRET_KEY}`];

/** The prefix of every resource name of a stage, and the name of its event bus in every region. */
export function resourcePrefix(stage: string): string {
  return stagePrefix(stage);
}

/** The `eventflow:*` settings of a flat Pulumi config map (`eventflow:stage` → `stage`), secrets left out. */
export function stageSettings(all: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(all).flatMap(([key, value]) => {
      const name = key.startsWith('eventflow:') ? key.slice('eventflow:'.length) : undefined;
      return name && name !== DELIVERY_PROVIDER_SECRET_KEY ? [[name, value]] : [];
    }),
  );
}

/**
 * Checks raw stage settings (values as Pulumi config holds them: strings, or parsed objects) and returns them
 * typed. Throws {@link ConfigValidationError} naming every bad key with its allowed values and what it got.
 */
export function parseStageConfig(raw: Raw, region: string | undefined, file = 'Pulumi.<stage>.yaml'): StageConfig {
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
  if (!['API_KEY', 'BASIC', 'OAUTH_CLIENT_CREDENTIALS'].includes(String(authorization)))
    bad('deliveryProvider.authorization', `must be one of API_KEY, BASIC, OAUTH_CLIENT_CREDENTIALS, got ${JSON.stringify(authorization)}`);
  const deliveryProvider = {
    endpoint: text('deliveryProvider.endpoint', delivery.endpoint, /^https:\/\/[^\s/]+/, 'an https:// URL'),
    httpMethod: httpMethod as 'POST' | 'PUT',
    rateLimitPerSecond: integer('deliveryProvider.rateLimitPerSecond', delivery.rateLimitPerSecond, 1, 300, 10),
    authorization: authorization as StageConfig['deliveryProvider']['authorization'],
    apiKeyName: text('deliveryProvider.apiKeyName', delivery.apiKeyName ?? 'x-api-key', /^[A-Za-z0-9-_]{1,128}$/, 'an HTTP header name'),
  };

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

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
