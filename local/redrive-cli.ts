/**
 * `npm run redrive -- --queue <subscription id>`: lists what sits in a local DLQ and re-sends it to the local bus.
 * `npm run redrive -- --queue-url <SQS URL> --event-bus-name <bus>`: the same for a deployed DLQ (AWS credentials
 * and region from the environment). `--list` only lists. Nothing is deleted before EventBridge accepted it again.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalQueue } from './bus/local-queue';
import { localSource, redrive, sqsSource, type DeadLetterSource } from './redrive';
import { LOCAL_EVENT_BUS_NAME, deadLetterFile } from './start-local';

async function main(): Promise<void> {
  // The SDK's notice that Node 20 support ends in 2027 is in the README; it would bury this tool's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { values } = parseArgs({ options: { queue: { type: 'string' }, 'queue-url': { type: 'string' }, 'event-bus-name': { type: 'string' }, 'data-dir': { type: 'string', default: '.data' }, list: { type: 'boolean', default: false } } });
  let source: DeadLetterSource;
  let client: EventBridgeClient;
  let eventBusName: string;
  if (values['queue-url']) {
    if (!values['event-bus-name']) throw new Error('--event-bus-name is required with --queue-url');
    source = sqsSource(values['queue-url']);
    client = new EventBridgeClient({});
    eventBusName = values['event-bus-name'];
  } else if (values.queue) {
    const endpoints = JSON.parse(readFileSync(join(values['data-dir'] as string, 'endpoints.json'), 'utf8')) as { eventBridge: string };
    source = localSource(new LocalQueue(values.queue, deadLetterFile(values['data-dir'] as string, values.queue)));
    client = new EventBridgeClient({ endpoint: endpoints.eventBridge, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    eventBusName = values['event-bus-name'] ?? LOCAL_EVENT_BUS_NAME;
  } else {
    throw new Error('name a queue: --queue <subscription id> (local) or --queue-url <SQS URL> --event-bus-name <bus>');
  }
  const messages = await source.list();
  process.stdout.write(`${messages.length} message(s) in ${source.name}\n`);
  for (const message of messages) {
    const event = JSON.parse(message.body) as { 'detail-type'?: string; id?: string };
    process.stdout.write(`  ${event['detail-type'] ?? '?'} ${event.id ?? ''} ${message.attributes.ERROR_CODE ?? ''} ${message.attributes.ERROR_MESSAGE ?? ''}\n`);
  }
  if (values.list) return;
  const outcomes = await redrive(source, { client, eventBusName });
  const failed = outcomes.filter((o) => o.result === 'failed');
  process.stdout.write(`redriven ${outcomes.length - failed.length}, failed ${failed.length}\n`);
  for (const failure of failed) process.stdout.write(`  kept ${failure.detailType}: ${failure.reason}\n`);
  if (failed.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
});
