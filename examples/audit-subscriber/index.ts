/**
 * A second Pulumi program, written as a team outside eventflow would write it: it depends on the package
 * (`npm install eventflow`), imports the components by the package's name, and adds its own subscriber to the
 * order bus of a deployed stage. Consumers own their subscriptions: the audit team keeps every order fact in a
 * queue of its own, and `Subscription` gives the rule a dead-letter queue and an explicit retry policy.
 *
 * Run it from this folder after `npm run build` at the repository root (the package's "exports" point at dist/):
 *   pulumi stack init dev && pulumi config set orderBusName eventflow-dev && pulumi up
 */
// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as sqs from '@pulumi/aws/sqs';
import * as pulumi from '@pulumi/pulumi';
import { Subscription } from 'eventflow/infra';

// Named explicitly (not the project default) so the keys read the same wherever the program is loaded from.
const config = new pulumi.Config('audit-subscriber');
/**
 * The stage's bus: the `eventBusName` output of the eventflow stack. A StackReference to that stack would read it
 * directly; a config value keeps this program deployable against a bus that another tool made.
 */
const orderBusName = config.require('orderBusName');
const name = `${orderBusName}-audit`;

/** Fourteen days, the longest SQS keeps a message: the audit trail's consumer may be down over a long weekend. */
const AUDIT_RETENTION_SECONDS = 1_209_600;

const auditQueue = new sqs.Queue('audit-queue', { name, sqsManagedSseEnabled: true, messageRetentionSeconds: AUDIT_RETENTION_SECONDS });

const subscription = new Subscription('audit', {
  eventBusName: orderBusName,
  ruleName: `${name}-order-facts`,
  description: 'Every order fact, for the audit trail',
  // Version 1 of the order facts, the version this consumer reads (the catalog's orders/*.v1.json).
  pattern: { source: ['eventflow.orders'], 'detail-type': ['OrderCancelled', 'OrderCompleted', 'OrderCreated'], detail: { metadata: { version: [1] } } },
  target: { kind: 'sqs', queueArn: auditQueue.arn, queueUrl: auditQueue.url },
});

export const auditQueueUrl = auditQueue.url;
export const ruleName = subscription.ruleName;
export const deadLetterQueueUrl = subscription.deadLetterQueueUrl;
