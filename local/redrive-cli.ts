/**
 * `npm run redrive -- --queue <queue name>`: sends every message of a local queue (a rule DLQ such as
 * `delivery-NotifyDeliveryProvider-dlq`, or an on-failure queue such as `notifications-SendEmail-async-failures`)
 * back to the one target that failed it, through the running system's SQS, Lambda and EventBridge endpoints
 * (read from `<data dir>/endpoints.json`). `--queue-url <SQS URL>` does the same for a deployed queue (region and
 * credentials from the environment). `--list` only lists, each message with its target; without a queue it
 * lists the local queues and their depths. `--event-bus-name` overrides the bus named in RULE_ARN. A message is
 * deleted only after its target accepted it again; the exit code is 1 when any message was kept.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ListQueuesCommand, QueueDoesNotExist, SQSClient } from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LocalEndpoints } from './start-local';
import { listDeadLetters, redrive, sqsSource } from './redrive';
import { LocalRuntimeError } from './errors';
import { LOCAL_CLIENT_CONFIG } from './placement';

interface Clients {
  readonly sqs: SQSClient;
  readonly lambda: LambdaClient;
  readonly eventBridge: EventBridgeClient;
}

async function main(): Promise<void> {
  // The SDK's notice that Node 20 support ends in 2027 is in the README; it would bury this tool's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values } = parseArgs({
    options: {
      queue: { type: 'string' },
      'queue-url': { type: 'string' },
      'event-bus-name': { type: 'string' },
      'data-dir': { type: 'string', default: '.data' },
      list: { type: 'boolean', default: false },
    },
  });
  const out = process.stdout;
  let clients: Clients;
  let queueUrl: string;
  if (values['queue-url']) {
    clients = { sqs: new SQSClient({}), lambda: new LambdaClient({}), eventBridge: new EventBridgeClient({}) };
    queueUrl = values['queue-url'];
  } else {
    const endpoints = readEndpoints(values['data-dir'] as string);
    const local = { ...LOCAL_CLIENT_CONFIG, maxAttempts: 1 };
    clients = {
      sqs: new SQSClient({ ...local, endpoint: endpoints.sqs }),
      lambda: new LambdaClient({ ...local, endpoint: endpoints.lambda }),
      eventBridge: new EventBridgeClient({ ...local, endpoint: endpoints.eventBridge }),
    };
    if (!values.queue) return listQueues(clients.sqs, endpoints.sqs);
    const name = values.queue;
    queueUrl = await reach(endpoints.sqs, async () => {
      try {
        return (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl ?? '';
      } catch (error) {
        if (error instanceof QueueDoesNotExist) throw new LocalRuntimeError(`no local queue is named "${name}"; run \`npm run redrive\` without --queue to list them`, { cause: error });
        throw error;
      }
    });
  }
  const source = sqsSource(queueUrl, clients.sqs);

  if (values.list) {
    const listed = await listDeadLetters(source);
    out.write(`${listed.length} message(s) in ${queueUrl}\n`);
    for (const { message, route, target } of listed) {
      const error = message.attributes.ERROR_CODE ? `  [${message.attributes.ERROR_CODE}: ${message.attributes.ERROR_MESSAGE ?? ''}]` : '';
      out.write(`  ${route.detailType} ${message.messageId} → ${target}${route.kind === 'unroutable' ? ` (cannot be redriven: ${route.reason})` : ''}${error}\n`);
    }
    return reportInFlight(clients.sqs, queueUrl);
  }
  const outcomes = await redrive(source, { eventBridge: clients.eventBridge, lambda: clients.lambda, ...(values['event-bus-name'] ? { eventBusName: values['event-bus-name'] } : {}) });
  for (const outcome of outcomes) {
    const verdict = outcome.result === 'redriven' ? 'redriven' : `kept (${outcome.result})`;
    out.write(`  ${verdict.padEnd(18)} ${outcome.detailType} ${outcome.id} → ${outcome.target}${outcome.reason ? `: ${outcome.reason}` : ''}\n`);
  }
  const kept = outcomes.filter((outcome) => outcome.result !== 'redriven').length;
  out.write(`${queueUrl}: redriven ${outcomes.length - kept}, kept ${kept}\n`);
  await reportInFlight(clients.sqs, queueUrl);
  if (kept > 0) process.exitCode = 1;
}

/** Messages another reader holds (or an interrupted run left hidden) are not seen until their visibility timeout ends: say so. */
async function reportInFlight(sqs: SQSClient, queueUrl: string): Promise<void> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessagesNotVisible'] }));
  const inFlight = Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  if (inFlight > 0) process.stdout.write(`${inFlight} more message(s) in flight: another reader holds them, or an interrupted run left them hidden until their visibility timeout ends\n`);
}

function readEndpoints(dataDir: string): LocalEndpoints {
  const file = join(dataDir, 'endpoints.json');
  let endpoints: Partial<LocalEndpoints>;
  try {
    endpoints = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalEndpoints>;
  } catch (error) {
    throw new LocalRuntimeError(`cannot read ${file} (${(error as Error).message}): start the system with \`npm start\`, or name a deployed queue with --queue-url`, { cause: error });
  }
  if (!endpoints.sqs || !endpoints.lambda || !endpoints.eventBridge)
    throw new LocalRuntimeError(`${file} names no SQS or Lambda endpoint: it was written by an older \`npm start\`; start the system again`);
  return endpoints as LocalEndpoints;
}

async function listQueues(sqs: SQSClient, endpoint: string): Promise<void> {
  const urls = await reach(endpoint, async () => (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []);
  process.stdout.write('Local queues (redrive one with --queue <name>):\n');
  for (const url of urls) {
    const attributes = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes ?? {};
    process.stdout.write(
      `  ${(url.split('/').pop() ?? url).padEnd(44)} ${attributes.ApproximateNumberOfMessages ?? '?'} visible, ${attributes.ApproximateNumberOfMessagesNotVisible ?? '?'} in flight\n`,
    );
  }
}

/** Runs a first call to the local system, turning "connection refused" into what to do about it. */
async function reach<T>(endpoint: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const code = (error as { code?: string; cause?: { code?: string } }).code ?? (error as { cause?: { code?: string } }).cause?.code;
    if (code === 'ECONNREFUSED') throw new LocalRuntimeError(`nothing answers at ${endpoint}: is \`npm start\` running with this data directory?`, { cause: error });
    throw error;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).name === 'Error' ? '' : `${(error as Error).name}: `}${(error as Error).message}\n`);
  process.exitCode = 1;
});
