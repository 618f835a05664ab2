import { randomUUID } from 'node:crypto';

/** A message in a local queue: the body and the attributes EventBridge sets on dead letters. */
export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly sentAt: string;
}

/**
 * An in-process stand-in for an SQS dead-letter queue: messages stay until deleted, so a redrive can
 * re-send first and delete after.
 */
export class LocalQueue {
  private readonly messages: QueueMessage[] = [];

  constructor(readonly name: string) {}

  send(body: string, attributes: Record<string, string>): QueueMessage {
    const message = { messageId: randomUUID(), body, attributes, sentAt: new Date().toISOString() };
    this.messages.push(message);
    return message;
  }

  /** Every message, oldest first, without removing any. */
  list(): readonly QueueMessage[] {
    return [...this.messages];
  }

  delete(messageId: string): boolean {
    const index = this.messages.findIndex((message) => message.messageId === messageId);
    if (index >= 0) this.messages.splice(index, 1);
    return index >= 0;
  }

  get depth(): number {
    return this.messages.length;
  }
}
