import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { BusEvent } from './bus/local-event-bus';
import type { LocalQueue } from './bus/local-queue';

/** A dead-letter queue as redrive sees it: read messages, delete one once it is safely re-sent. */
export interface DeadLetterSource {
  readonly name: string;
  list(): Promise<Array<{ readonly id: string; readonly body: string; readonly attributes: Readonly<Record<string, string>> }>>;
  delete(id: string): Promise<void>;
}

/** One message's fate. */
export interface RedriveOutcome {
  readonly id: string;
  readonly detailType: string;
  readonly result: 'redriven' | 'failed';
  readonly reason?: string;
}

/** A local queue (the running system's, through its file). */
export function localSource(queue: LocalQueue): DeadLetterSource {
  return {
    name: queue.name,
    list: async () => queue.list().map((m) => ({ id: m.messageId, body: m.body, attributes: m.attributes })),
    delete: async (id) => void queue.delete(id),
  };
}

/** A real SQS queue by URL; messages stay invisible for `visibilitySeconds` while they are being re-sent. */
export function sqsSource(queueUrl: string, client = new SQSClient({}), visibilitySeconds = 60): DeadLetterSource {
  return {
    name: queueUrl,
    list: async () => {
      const messages: Array<{ id: string; body: string; attributes: Record<string, string> }> = [];
      for (;;) {
        const batch = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: visibilitySeconds, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
        if (!batch.Messages?.length) return messages;
        for (const message of batch.Messages) {
          const attributes = Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => [key, value.StringValue ?? '']));
          messages.push({ id: message.ReceiptHandle ?? '', body: message.Body ?? '', attributes });
        }
      }
    },
    delete: async (receiptHandle) => void (await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }))),
  };
}

/**
 * Re-sends every dead-lettered event to the bus with PutEvents, and deletes a message only after EventBridge
 * accepted its event: a failure leaves it in the queue with the reason reported.
 */
export async function redrive(source: DeadLetterSource, target: { readonly client: EventBridgeClient; readonly eventBusName: string }): Promise<RedriveOutcome[]> {
  const outcomes: RedriveOutcome[] = [];
  for (const message of await source.list()) {
    let event: BusEvent;
    try {
      event = JSON.parse(message.body) as BusEvent;
    } catch {
      outcomes.push({ id: message.id, detailType: '?', result: 'failed', reason: 'the message body is not an EventBridge event' });
      continue;
    }
    try {
      const response = await target.client.send(
        new PutEventsCommand({ Entries: [{ EventBusName: target.eventBusName, Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail), Resources: [...(event.resources ?? [])] }] }),
      );
      const entry = response.Entries?.[0];
      if (!entry?.EventId) throw new Error(`${entry?.ErrorCode ?? 'no result'}: ${entry?.ErrorMessage ?? ''}`);
      await source.delete(message.id);
      outcomes.push({ id: message.id, detailType: event['detail-type'], result: 'redriven' });
    } catch (error) {
      outcomes.push({ id: message.id, detailType: event['detail-type'], result: 'failed', reason: (error as Error).message });
    }
  }
  return outcomes;
}
