import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadOrderSystem } from '../../../model';
import { repoRoot } from '../../../model/paths';
import { ConfigValidationError } from '../../../infra/errors';
import { validateEventBusArgs } from '../../../infra/event-bus';
import { validateOrderApiArgs } from '../../../infra/order-api';
import { validateOrderSagaArgs } from '../../../infra/order-saga';
import { validateServiceFunctionArgs } from '../../../infra/service-function';
import { DELIVERY_PROVIDER_SECRET_KEYS, SECRET_CONFIG_KEYS, resourcePrefix } from '../../../infra/stage-config';
import { readStackConfig, type SynthResult } from '../../../infra/synth/synthesize';
import { writeSynthFiles } from '../../../infra/synth/write';
import { thrownBy } from '../../helpers/thrown';
import { WILDCARD_RESOURCE_ALLOWANCES, admittedPrincipals, checkStack, ruleContextFromConfig, secretOccurrences, wildcardResourceUses, type RuleContext } from '../../../policy/rules';

/** Every stage the repository has: a new Pulumi.<stage>.yaml is walked without touching this file. */
const STAGES = readdirSync(repoRoot())
  .map((file) => /^Pulumi\.([a-z0-9-]+)\.yaml$/.exec(file)?.[1])
  .filter((stage): stage is string => stage !== undefined)
  .sort();
const BASE = STAGES.includes('dev') ? 'dev' : STAGES[0]!;

interface Walk {
  readonly label: string;
  /** The Pulumi.<stack>.yaml the walk starts from. */
  readonly stack: string;
  readonly overrides: Record<string, string | undefined>;
}

/**
 * A distinct value per secret and walk, found in no source: any hit in a scan can only be that secret leaking. The
 * stage walks keep the placeholder every synthesis gives a secret (SYNTH_SECRET), so they share the stage's one
 * evaluation with the other stack tests.
 */
const secrets = (walk: string) => Object.fromEntries(SECRET_CONFIG_KEYS.map((key) => [key, `walk-secret-${walk}-${key.replace(/\W/g, '-')}`]));
const delivery = (authorization: string, settings: Record<string, unknown>, httpMethod = 'POST') =>
  JSON.stringify({ endpoint: 'https://delivery.example.com/v1/deliveries', httpMethod, rateLimitPerSecond: 20, authorization, ...settings });

const WALKS: readonly Walk[] = [
  ...STAGES.map((stack) => ({ label: `Pulumi.${stack}.yaml`, stack, overrides: {} })),
  {
    label: `Pulumi.${BASE}.yaml as an organization's stage: BASIC auth, no global endpoint, no payments account, EXPRESS saga`,
    stack: BASE,
    overrides: {
      'eventflow:stage': 'orgvariant',
      'eventflow:allowedAccountIds': undefined,
      'eventflow:organizationId': 'o-abcdefghij',
      'eventflow:deliveryProvider': delivery('BASIC', { basic: { username: 'eventflow' } }),
      'eventflow:globalEndpoint': JSON.stringify({ enabled: false }),
      'eventflow:paymentsAccount': undefined,
      'eventflow:sagaType': 'EXPRESS',
      'eventflow:logRetentionDays': '30',
      'eventflow:alarmEmail': undefined,
      ...secrets('org'),
    },
  },
  {
    label: `Pulumi.${BASE}.yaml with two publishing accounts and OAuth client credentials`,
    stack: BASE,
    overrides: {
      'eventflow:stage': 'oauthvariant',
      'eventflow:allowedAccountIds': JSON.stringify(['111111111111', '333333333333']),
      'eventflow:deliveryProvider': delivery(
        'OAUTH_CLIENT_CREDENTIALS',
        { oauth: { tokenEndpoint: 'https://auth.delivery.example.com/oauth2/token', clientId: 'eventflow-client', scopes: ['deliveries/write'] } },
        'PUT',
      ),
      'eventflow:logRetentionDays': '731',
      ...secrets('oauth'),
    },
  },
];

/** The flat configuration the walk's program sees, as `synthesize` merges it. */
function configOf(walk: Walk): Record<string, string> {
  const merged: Record<string, string | undefined> = { ...readStackConfig(walk.stack), ...walk.overrides };
  return Object.fromEntries(Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** The secret the stage's delivery authorization reads (the program reads no other), found without the parser under test. */
function usedSecretKey(config: Readonly<Record<string, string>>): string {
  const authorization = (JSON.parse(config['eventflow:deliveryProvider'] ?? '{}') as { authorization?: keyof typeof DELIVERY_PROVIDER_SECRET_KEYS }).authorization ?? 'API_KEY';
  return `eventflow:${DELIVERY_PROVIDER_SECRET_KEYS[authorization]}`;
}

/** The publishers as the configuration writes them, read without the parser under test. */
function principalsInConfig(config: Readonly<Record<string, string>>): string[] {
  const organization = config['eventflow:organizationId'];
  if (organization) return [`org:${organization}`];
  const accounts = config['eventflow:allowedAccountIds'];
  return (accounts ? (JSON.parse(accounts) as string[]) : [config['eventflow:accountId']!]).map((id) => `account:${id}`).sort();
}

const isWithin = (path: string, secretInput: string) => path === secretInput || path.startsWith(`${secretInput}.`) || path.startsWith(`${secretInput}[`);

describe('the security walk', () => {
  it('walks every Pulumi.<stage>.yaml the repository has, and variants of one', () => {
    expect(STAGES.length).toBeGreaterThan(0);
    expect(WALKS.map((walk) => walk.stack)).toEqual(expect.arrayContaining(STAGES));
  });

  it('refuses, before any resource, a log retention CloudWatch Logs would reject at deployment', () => {
    // Arrange: 10 is inside the 1–3653 range, and not a value PutRetentionPolicy accepts.
    const rule = 'must be one of the retention periods CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653), got 10';
    const validations = {
      EventBus: () => validateEventBusArgs('b', { name: 'bus', publishers: { accountIds: ['111111111111'] }, logRetentionDays: 10 }),
      ServiceFunction: () => validateServiceFunctionArgs('f', { functionName: 'f', service: 's', handlerFile: 'f.ts', statements: [], logRetentionDays: 10 }),
      OrderApi: () => validateOrderApiArgs('a', { apiName: 'a', routes: [{ routeKey: 'GET /orders', functionName: 'f', functionArn: 'arn' }], logRetentionDays: 10 }),
      OrderSaga: () =>
        validateOrderSagaArgs('s', { stateMachineName: 's', app: loadOrderSystem({ compileSchemas: false }), functionArns: {}, eventBusName: 'b', eventBusArn: 'arn', logRetentionDays: 10 }),
      stage: () => ruleContextFromConfig({ ...readStackConfig(BASE), 'eventflow:logRetentionDays': '10' }),
    };

    // Act
    const messages = Object.fromEntries(Object.entries(validations).map(([component, validate]) => [component, thrownBy(validate, ConfigValidationError).message]));

    // Assert
    expect(messages).toEqual({
      EventBus: `EventBus "b": 'logRetentionDays' ${rule}`,
      ServiceFunction: `ServiceFunction "f": 'logRetentionDays' ${rule}`,
      OrderApi: `OrderApi "a": 'logRetentionDays' ${rule}`,
      OrderSaga: `OrderSaga "s": 'logRetentionDays' ${rule}`,
      stage: `stack configuration: 'eventflow:logRetentionDays' ${rule.replace('got 10', 'got "10"')}`,
    });
  });

  describe.each(WALKS)('$label', (walk) => {
    let result: SynthResult;
    let context: RuleContext;
    let config: Record<string, string>;
    let files: Record<string, string>;

    beforeAll(async () => {
      // Arrange: one evaluation per walk, each with a fresh Pulumi runtime and program module (stack frames off:
      // under jest they tripled the evaluation time).
      await jest.isolateModulesAsync(async () => {
        const { synthesizeShared } = await import('../../helpers/synth-cache');
        result = await synthesizeShared(walk.stack, walk.overrides, { stackTraces: false });
      });
      config = configOf(walk);
      context = ruleContextFromConfig(config);
      const dir = mkdtempSync(join(tmpdir(), 'eventflow-walk-'));
      try {
        files = Object.fromEntries(writeSynthFiles(result, dir).map((file) => [basename(file), readFileSync(file, 'utf8')]));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);

    it('finds no violation of any rule in any resource', () => {
      // Act
      const violations = checkStack(
        result.resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs })),
        context,
      );

      // Assert: every rule had something to judge, and nothing broke one.
      const types = new Set(result.resources.map((r) => r.type));
      for (const type of [
        'aws:sqs/queue:Queue',
        'aws:sns/topic:Topic',
        'aws:cloudwatch/logGroup:LogGroup',
        'aws:apigateway/methodSettings:MethodSettings',
        'aws:apigateway/method:Method',
        'aws:cloudwatch/eventBusPolicy:EventBusPolicy',
        'aws:iam/rolePolicy:RolePolicy',
        'aws:kms/key:Key',
        'aws:cloudwatch/eventConnection:EventConnection',
      ]) {
        expect({ type, walked: types.has(type) }).toEqual({ type, walked: true });
      }
      expect(violations).toEqual([]);
    });

    it('grants a * resource exactly where the allowance list says, for exactly its actions', () => {
      const used = new Map<string, Set<string>>();
      for (const r of result.resources) {
        for (const use of wildcardResourceUses(r.type, r.inputs)) {
          const id = use.allowance?.id ?? `not allowed: ${r.type} "${r.name}" ${use.path}`;
          const actions = used.get(id) ?? new Set<string>();
          for (const action of use.allowance?.actions === 'any' ? ['any'] : use.actions) actions.add(action);
          used.set(id, actions);
        }
      }

      expect(Object.fromEntries([...used].map(([id, actions]) => [id, [...actions].sort()]))).toEqual(
        Object.fromEntries(WILDCARD_RESOURCE_ALLOWANCES.map((a) => [a.id, a.actions === 'any' ? ['any'] : [...a.actions].sort()])),
      );
    });

    it('admits exactly the configured principals to every copy of the stage bus', () => {
      const busName = resourcePrefix(config['eventflow:stage']!);
      const buses = result.resources.filter((r) => r.type === 'aws:cloudwatch/eventBus:EventBus' && r.inputs.name === busName);
      const policies = result.resources.filter((r) => r.type === 'aws:cloudwatch/eventBusPolicy:EventBusPolicy' && r.inputs.eventBusName === busName);

      expect(policies).toHaveLength(buses.length);
      for (const policy of policies) expect({ policy: policy.name, admits: admittedPrincipals(policy.inputs.policy) }).toEqual({ policy: policy.name, admits: principalsInConfig(config) });
    });

    it('keeps every secret out of plain text: in inputs only inside a secret wrapper, never in outputs or the synth files', () => {
      for (const key of SECRET_CONFIG_KEYS) {
        const secret = config[key]!;
        const found = result.resources.flatMap((r) =>
          secretOccurrences(r.inputs, secret).map((path) => ({ key, resource: `${r.type} "${r.name}"`, path, wrapped: r.secretInputs.some((s) => isWithin(path, s)) })),
        );

        // The scan sees the secret where the program must put it, so finding no leak means something. The other
        // authorization types' secrets are set too (a stale one must not leak either), but nothing reads them.
        if (key === usedSecretKey(config)) expect(found.length).toBeGreaterThan(0);
        expect(found.filter((hit) => !hit.wrapped)).toEqual([]);
        expect(secretOccurrences(result.outputs, secret)).toEqual([]);
        for (const [file, text] of Object.entries(files)) expect({ key, file, plainText: text.includes(secret) }).toEqual({ key, file, plainText: false });
      }
      expect(Object.keys(files).sort()).toEqual([`${walk.stack}.json`, `${walk.stack}.md`]);
    });
  });
});
