/**
 * AWS's published prices and default quotas for one account in Europe (Ireland), eu-west-1, as `bench/region-capacity.ts`
 * prices and sizes an order with them. Every figure names the page it comes from and the day it was read, and how far
 * it could be read:
 * - `read`: the figure is on that AWS page (or in the source of AWS's documentation), as read that day;
 * - `quoted`: AWS's page could not be read here (its prices are filled in by script, so a stored copy has none); the
 *   figure is as the secondary page in `note` quotes AWS, and `note` says what was assumed of eu-west-1;
 * - `assumed`: read nowhere here; `note` says what it rests on.
 * Pages were read from stored copies on 2026-11-25 (`READ_AT`); a live page may have changed since. Prices in USD,
 * before free tiers, first pricing tier.
 */

/** How far a figure could be read: see the module's comment. */
export type FigureStatus = 'read' | 'quoted' | 'assumed';

/** One published figure with where it comes from. */
export interface SourcedFigure {
  readonly value: number;
  /** What one `value` is per: `USD per 1M requests`, `per second`. */
  readonly unit: string;
  readonly url: string;
  /** ISO date the page was read. */
  readonly readAt: string;
  readonly status: FigureStatus;
  readonly note?: string;
}

/** The day every page here was read. */
export const READ_AT = '2026-11-25';
export const REGION = 'eu-west-1';

const figure = (value: number, unit: string, url: string, status: FigureStatus, note?: string): SourcedFigure => ({ value, unit, url, readAt: READ_AT, status, ...(note ? { note } : {}) });

const EVENTBRIDGE_PRICING = 'https://aws.amazon.com/eventbridge/pricing/';
const EVENTBRIDGE_QUOTED = 'quoted by cloudburn.io/blog/amazon-eventbridge-pricing (March 2026, us-east-1, "consistent across most commercial regions"); eu-west-1 assumed equal';
const SFN_PRICING = 'https://aws.amazon.com/step-functions/pricing/';
const SFN_QUOTAS = 'https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html';
const SFN_QUOTAS_NOTE =
  "the live page's throttling table could not be read in the stored copy; read from AWS's documentation source, github.com/awsdocs/aws-step-functions-developer-guide doc_source/limits-overview.md (commit 28a1c16), row 'US East (N. Virginia), US West (Oregon), and Europe (Ireland)'. The live page adds: new accounts start with reduced state transition quotas, raised automatically with usage";

/** Prices, each per the unit it names. */
export const AWS_PRICES = {
  eventBridgeCustomEvent: figure(1.0, 'USD per 1M events (each 64 KB chunk of an entry is one event)', EVENTBRIDGE_PRICING, 'quoted', EVENTBRIDGE_QUOTED),
  eventBridgeCrossAccountEvent: figure(1.0, 'USD per 1M events delivered to another account', EVENTBRIDGE_PRICING, 'quoted', EVENTBRIDGE_QUOTED),
  eventBridgeApiDestination: figure(0.2, 'USD per 1M invocations', EVENTBRIDGE_PRICING, 'quoted', EVENTBRIDGE_QUOTED),
  eventBridgeArchiveProcessed: figure(0.1, 'USD per GB archived', EVENTBRIDGE_PRICING, 'quoted', EVENTBRIDGE_QUOTED),
  eventBridgeArchiveStorage: figure(0.023, 'USD per GB-month', EVENTBRIDGE_PRICING, 'quoted', EVENTBRIDGE_QUOTED),
  eventBridgeSchemaDiscovery: figure(
    0.1,
    'USD per 1M events ingested (first 5M a month free)',
    EVENTBRIDGE_PRICING,
    'quoted',
    'quoted by factualminds.com (June 2026, us-east-1); cloudburn.io lists $1.00, so the lower figure is an assumption; eu-west-1 assumed equal',
  ),
  stepFunctionsStandardTransition: figure(
    25.0,
    'USD per 1M state transitions ($0.025 per 1,000)',
    SFN_PRICING,
    'quoted',
    'quoted by wring.co (March 2026); retries count as transitions (read on the page); eu-west-1 assumed equal',
  ),
  stepFunctionsExpressRequest: figure(1.0, 'USD per 1M executions started', SFN_PRICING, 'quoted', 'quoted by wring.co (March 2026); eu-west-1 assumed equal'),
  stepFunctionsExpressDuration: figure(
    0.00001667,
    'USD per GB-second (first 1,000 GB-hours a month)',
    SFN_PRICING,
    'quoted',
    'quoted by wring.co (March 2026); read on the page: duration rounded up to the next 100 ms, memory billed in 64 MB chunks; eu-west-1 assumed equal',
  ),
  lambdaArmDuration: figure(
    0.0000133334,
    'USD per GB-second, arm64 (first 7.5 billion GB-s a month)',
    'https://aws.amazon.com/lambda/pricing/',
    'quoted',
    'quoted by cloudchipr.com (US East); eu-west-1 assumed equal',
  ),
  lambdaRequest: figure(0.2, 'USD per 1M requests', 'https://aws.amazon.com/lambda/pricing/', 'quoted', 'quoted by cloudchipr.com and a Lambda cost guide (US East); eu-west-1 assumed equal'),
  dynamoWriteRequestUnit: figure(
    0.7068,
    'USD per 1M write request units (on-demand, Standard table class)',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    'assumed',
    "regional prices load by script; us-east-1's $0.625 is quoted by airbyte.com; eu-west-1 assumed at its pre-November-2024 $1.4135 halved by that month's on-demand price cut",
  ),
  dynamoReadRequestUnit: figure(
    0.1415,
    'USD per 1M read request units (on-demand, Standard table class)',
    'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    'assumed',
    "us-east-1's $0.125 is quoted by airbyte.com; eu-west-1 assumed at its pre-November-2024 $0.283 halved",
  ),
  sesEmail: figure(
    0.1,
    'USD per 1,000 e-mails',
    'https://aws.amazon.com/ses/pricing/',
    'quoted',
    'quoted by acecloudinterviews.com ("starting at $0.10 per thousand emails"); eu-west-1 assumed equal',
  ),
  apiGatewayRestRequest: figure(
    3.5,
    'USD per 1M requests (REST API, first 333M a month)',
    'https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html',
    'read',
    'Table 4 of the whitepaper; it names no Region, taken as eu-west-1',
  ),
  wafRequest: figure(
    0.6,
    'USD per 1M requests inspected',
    'https://aws.amazon.com/waf/pricing/',
    'quoted',
    'quoted by c3x.dev; "pricing for AWS WAF is consistent across all AWS Regions" read in aws.amazon.com/blogs/networking-and-content-delivery/cost-effective-ways-for-securing-your-web-applications-using-aws-waf/',
  ),
  wafWebAcl: figure(5.0, 'USD per web ACL per month', 'https://aws.amazon.com/waf/pricing/', 'quoted', 'quoted by c3x.dev'),
  wafRule: figure(1.0, 'USD per rule per month', 'https://aws.amazon.com/waf/pricing/', 'quoted', 'quoted by c3x.dev'),
  cloudWatchLogsIngestion: figure(
    0.57,
    'USD per GB ingested (Standard log class)',
    'https://aws.amazon.com/cloudwatch/pricing/',
    'assumed',
    "the page says pricing varies by Region and loads it by script; us-east-1's $0.50 is quoted by c3x.dev (June 2026); eu-west-1's $0.57 assumed",
  ),
  cloudWatchCustomMetric: figure(
    0.3,
    'USD per metric per month (first 10,000)',
    'https://aws.amazon.com/cloudwatch/pricing/',
    'assumed',
    'EMF metrics are billed as custom metrics (one per metric name and dimension values); figure assumed, not readable here',
  ),
  xrayTraceRecorded: figure(
    5.0,
    'USD per 1M traces recorded (first 100,000 a month free)',
    'https://aws.amazon.com/de/xray/pricing/',
    'read',
    'read on the German page ("5 USD pro Million"); Region not stated',
  ),
} as const satisfies Record<string, SourcedFigure>;

/** Where a quota applies: the whole account-region, one partition key (one product), one API destination, or the account's SES allowance. */
export type QuotaScope = 'account-region' | 'partition' | 'destination' | 'account-specific';

/** A default quota: a steady rate (the refill rate of a token bucket) and, where there is one, its burst. */
export interface SourcedQuota extends SourcedFigure {
  readonly scope: QuotaScope;
  /** The bucket a burst can draw on above the steady rate. @default - none published */
  readonly burst?: number;
  /** Whether AWS raises it on request (a soft quota). */
  readonly adjustable: boolean;
}

const quota = (value: number, unit: string, url: string, status: FigureStatus, rest: { scope: QuotaScope; adjustable: boolean; burst?: number; note?: string }): SourcedQuota => ({
  ...figure(value, unit, url, status, rest.note),
  scope: rest.scope,
  adjustable: rest.adjustable,
  ...(rest.burst !== undefined ? { burst: rest.burst } : {}),
});

/** Default quotas of one account in eu-west-1. */
export const AWS_QUOTAS = {
  standardStartExecution: quota(300, 'StartExecution per second (Standard)', SFN_QUOTAS, 'read', { scope: 'account-region', adjustable: true, burst: 1300, note: SFN_QUOTAS_NOTE }),
  standardStateTransitions: quota(1500, 'state transitions per second (Standard)', SFN_QUOTAS, 'read', { scope: 'account-region', adjustable: true, burst: 5000, note: SFN_QUOTAS_NOTE }),
  expressStartExecution: quota(6000, 'StartExecution per second (Express; state transitions unlimited)', SFN_QUOTAS, 'read', {
    scope: 'account-region',
    adjustable: true,
    burst: 6000,
    note: SFN_QUOTAS_NOTE,
  }),
  describeExecution: quota(15, 'DescribeExecution per second', SFN_QUOTAS, 'read', { scope: 'account-region', adjustable: true, burst: 300, note: SFN_QUOTAS_NOTE }),
  putEvents: quota(10000, 'PutEvents requests per second', 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html', 'assumed', {
    scope: 'account-region',
    adjustable: true,
    note: "read for us-east-1 (10,000) in the docs.amazonaws.cn copy of the page, whose list was cut before eu-west-1; eu-west-1 shares us-east-1 and us-west-2's invocation quota (18,750), so assumed to share their 10,000 too. A Step Functions events:putEvents state is a PutEvents request of the account",
  }),
  targetInvocations: quota(18750, 'target invocations per second', 'https://docs.amazonaws.cn/eventbridge/latest/userguide/eb-quota.html', 'read', {
    scope: 'account-region',
    adjustable: true,
    note: 'eu-west-1: 18,750 per second, in the translated copy of docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html; throttled invocations are delayed, not dropped',
  }),
  apiDestinationRate: quota(300, 'invocations per second per API destination', 'https://github.com/awsdocs/amazon-eventbridge-user-guide/blob/main/doc_source/eb-quota.md', 'read', {
    scope: 'destination',
    adjustable: true,
    note: "AWS documentation source; above it invocations are delayed, and past the target's 60 s maximum event age (API_DESTINATION_DEFAULTS) they go to the DLQ",
  }),
  lambdaConcurrency: quota(1000, 'concurrent executions', 'https://serverlessland.com/content/service/lambda/guides/aws-lambda-operator-guide/scaling-concurrency', 'read', {
    scope: 'account-region',
    adjustable: true,
    note: 'AWS Lambda Operator Guide: "All AWS accounts start with a default concurrent limit of 1000 per Region"; scaling rate 1,000 environments per 10 s per function (docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html)',
  }),
  dynamoTableReads: quota(40000, 'read request units per second per table (on-demand)', 'https://docs.amazonaws.cn/en_us/amazondynamodb/latest/developerguide/Limits.html', 'read', {
    scope: 'account-region',
    adjustable: true,
    note: 'per table; a new on-demand table serves 4,000 WRU or 12,000 RRU at once and doubles its previous peak within 30 minutes (repost.aws/knowledge-center/on-demand-table-throttling-dynamodb)',
  }),
  dynamoTableWrites: quota(40000, 'write request units per second per table (on-demand)', 'https://docs.amazonaws.cn/en_us/amazondynamodb/latest/developerguide/Limits.html', 'read', {
    scope: 'account-region',
    adjustable: true,
  }),
  dynamoPartitionReads: quota(3000, 'read request units per second per partition', 'https://repost.aws/knowledge-center/on-demand-table-throttling-dynamodb', 'read', {
    scope: 'partition',
    adjustable: false,
    note: '3,000 RRU or 1,000 WRU per partition, "or a linear combination of both"',
  }),
  dynamoPartitionWrites: quota(1000, 'write request units per second per partition', 'https://repost.aws/knowledge-center/on-demand-table-throttling-dynamodb', 'read', {
    scope: 'partition',
    adjustable: false,
  }),
  apiGatewayRequests: quota(10000, 'requests per second across the APIs of the account', 'https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html', 'read', {
    scope: 'account-region',
    adjustable: true,
    burst: 5000,
    note: 'burst bucket of 5,000 read in the docs.amazonaws.cn copy of the page',
  }),
  sesSendingRate: quota(1, 'e-mails per second (sandbox)', 'https://docs.aws.amazon.com/ses/latest/dg/quotas.html', 'read', {
    scope: 'account-specific',
    adjustable: true,
    note: 'in the sandbox 1 per second and 200 per 24 hours; out of it the rate "varies based on your specific use case": no default is published',
  }),
} as const satisfies Record<string, SourcedQuota>;
