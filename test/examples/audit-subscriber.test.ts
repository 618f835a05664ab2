import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { installMocks, ofType, settle, outputValue, type RecordedResource } from '../helpers/pulumi-mocks';

const PROGRAM = join(__dirname, '..', '..', 'examples', 'audit-subscriber', 'index.ts');

interface PolicyStatement {
  Principal?: unknown;
  Action: string | string[];
  Resource: unknown;
  Condition?: { ArnEquals?: Record<string, unknown> };
}
const statements = (policy: unknown): PolicyStatement[] => (JSON.parse(String(policy)) as { Statement: PolicyStatement[] }).Statement;

// The example is another team's program: it reaches the components through the package's "exports" (dist/, so
// `npm run build` first, as `npm test` does), and runs here under the same recording mocks as the stack.
describe('examples/audit-subscriber', () => {
  const orderBusName = 'eventflow-dev';
  let resources: RecordedResource[];
  let program: typeof import('../../examples/audit-subscriber');
  let defaults: { maximumRetryAttempts: number; maximumEventAgeInSeconds: number };

  beforeAll(async () => {
    ({ resources } = await installMocks({ 'audit-subscriber:orderBusName': orderBusName, 'aws:region': 'eu-west-1' }, 'dev'));
    program = await import('../../examples/audit-subscriber');
    ({ SUBSCRIPTION_DEFAULTS: defaults } = await import('eventflow/infra'));
    await outputValue(program.ruleName);
    await settle();
  }, 30_000);

  it('imports the components by the package’s name, as a user would, never by a path into the repository', () => {
    const imports = [...readFileSync(PROGRAM, 'utf8').matchAll(/from '([^']+)'/g)].map((match) => match[1]);

    expect(imports).toContain('eventflow/infra');
    expect(imports.filter((specifier) => specifier!.startsWith('.'))).toEqual([]);
  });

  it('adds one rule, on the order bus named in its configuration', async () => {
    const rules = ofType(resources, 'aws:cloudwatch/eventRule:EventRule');

    expect(rules.map((rule) => ({ name: rule.inputs.name, bus: rule.inputs.eventBusName }))).toEqual([{ name: await outputValue(program.ruleName), bus: orderBusName }]);
    expect(JSON.parse(String(rules[0]!.inputs.eventPattern))).toMatchObject({ source: ['eventflow.orders'] });
  });

  it('delivers to its own queue, with a dead-letter queue and the package’s retry policy', async () => {
    const ruleName = await outputValue(program.ruleName);
    const target = ofType(resources, 'aws:cloudwatch/eventTarget:EventTarget').find((t) => t.inputs.rule === ruleName)!;
    const [auditQueue, deadLetterQueue] = ['audit-queue', 'audit-dlq'].map((logical) => ofType(resources, 'aws:sqs/queue:Queue').find((q) => q.name === logical)!);

    expect(target.inputs.arn).toBe(auditQueue!.outputs.arn);
    expect(target.inputs.deadLetterConfig).toEqual({ arn: deadLetterQueue!.outputs.arn });
    expect(target.inputs.retryPolicy).toEqual({ maximumRetryAttempts: defaults.maximumRetryAttempts, maximumEventAgeInSeconds: defaults.maximumEventAgeInSeconds });
    expect(await outputValue(program.deadLetterQueueUrl!)).toBe(deadLetterQueue!.outputs.url);
  });

  it('lets only its rule send to either queue, and encrypts both', () => {
    const rule = ofType(resources, 'aws:cloudwatch/eventRule:EventRule')[0]!;
    const queuePolicies = ofType(resources, 'aws:sqs/queuePolicy:QueuePolicy');

    expect(queuePolicies).toHaveLength(2);
    for (const policy of queuePolicies) {
      expect(statements(policy.inputs.policy)).toEqual([
        expect.objectContaining({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Condition: { ArnEquals: { 'aws:SourceArn': rule.outputs.arn } } }),
      ]);
    }
    for (const queue of ofType(resources, 'aws:sqs/queue:Queue')) expect({ queue: queue.name, encrypted: queue.inputs.sqsManagedSseEnabled }).toEqual({ queue: queue.name, encrypted: true });
  });
});
