import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A message in a local queue: the body and the attributes EventBridge sets on dead letters. */
export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly sentAt: string;
}

/**
 * A stand-in for an SQS dead-letter queue: messages stay until deleted, so a redrive can re-send first and
 * delete after. With a file, the queue lives in it (one JSON document), so `npm run redrive` in another
 * process sees and empties the same queue as the running system.
 */
export class LocalQueue {
  private readonly memory: QueueMessage[] = [];

  constructor(
    readonly name: string,
    private readonly file?: string,
  ) {}

  send(body: string, attributes: Record<string, string>): QueueMessage {
    const message = { messageId: randomUUID(), body, attributes, sentAt: new Date().toISOString() };
    this.save([...this.list(), message]);
    return message;
  }

  /** Every message, oldest first, without removing any. */
  list(): QueueMessage[] {
    if (!this.file) return [...this.memory];
    return existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as QueueMessage[]) : [];
  }

  delete(messageId: string): boolean {
    const messages = this.list();
    const remaining = messages.filter((message) => message.messageId !== messageId);
    this.save(remaining);
    return remaining.length < messages.length;
  }

  get depth(): number {
    return this.list().length;
  }

  private save(messages: QueueMessage[]): void {
    if (!this.file) {
      this.memory.splice(0, this.memory.length, ...messages);
      return;
    }
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, `${JSON.stringify(messages, null, 1)}\n`);
  }
}
