import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A message in a local queue: the body and the attributes EventBridge sets on dead letters, with SQS's receive state. */
export interface QueueMessage {
  readonly messageId: string;
  readonly body: string;
  /** Message attributes by name; string and number values as sent, binary ones base64-encoded. */
  readonly attributes: Readonly<Record<string, string>>;
  /** The data type of each attribute that is not a plain `String` (`Number`, `Binary`, `String.json`, …). @default - every attribute is a String */
  readonly dataTypes?: Readonly<Record<string, string>>;
  readonly sentAt: string;
  /** SQS's ApproximateReceiveCount. @default 0 */
  readonly receiveCount?: number;
  readonly firstReceivedAt?: string;
  /** Epoch milliseconds before which no receive returns the message (a visibility timeout, or a send delay). */
  readonly invisibleUntil?: number;
  /** Identifies the latest receive: only the receipt handle carrying it deletes the message. */
  readonly receiptToken?: string;
}

/** A message as one receive hands it out, with the receipt handle of that receive. */
export interface ReceivedMessage {
  readonly message: QueueMessage;
  readonly receiptHandle: string;
}

/** What a receipt handle did: `ignored` is SQS's answer to a handle older than the message's latest receive, or of a message already deleted. */
export type ReceiptResult = 'deleted' | 'ignored' | 'invalid';

/** What changing a message's visibility did. */
export type VisibilityResult = 'changed' | 'not-in-flight' | 'invalid';

/** Counts as SQS's GetQueueAttributes reports them. */
export interface QueueCounts {
  /** Ready to be received (ApproximateNumberOfMessages). */
  readonly visible: number;
  /** Received and within their visibility timeout (ApproximateNumberOfMessagesNotVisible). */
  readonly inFlight: number;
  /** Sent with a delay that has not passed (ApproximateNumberOfMessagesDelayed). */
  readonly delayed: number;
}

/**
 * A stand-in for an SQS standard queue, as dead-letter queues and Lambda's on-failure destinations use it:
 * messages stay until deleted, a receive hides them for a visibility timeout and hands out a receipt handle
 * that changes with every receive, and only the latest handle deletes. Redrive relies on exactly that: it
 * re-sends first and deletes after, and a message it could not re-send simply becomes visible again.
 * With a file, every change is written through to it (one JSON document, replaced atomically), so messages
 * survive a restart of the local runtime; the file is read once, when the queue is opened, and the queue in
 * memory is what every operation reads (reading the file back on each operation made a redrive of a thousand
 * dead letters quadratic).
 */
export class LocalQueue {
  private readonly memory: QueueMessage[];

  constructor(
    readonly name: string,
    private readonly file?: string,
  ) {
    this.memory = file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as QueueMessage[]) : [];
  }

  send(body: string, attributes: Record<string, string>, options: { readonly dataTypes?: Record<string, string>; readonly delaySeconds?: number } = {}): QueueMessage {
    const message: QueueMessage = {
      messageId: randomUUID(),
      body,
      attributes,
      ...(options.dataTypes && Object.keys(options.dataTypes).length > 0 ? { dataTypes: options.dataTypes } : {}),
      sentAt: new Date().toISOString(),
      ...(options.delaySeconds ? { invisibleUntil: Date.now() + options.delaySeconds * 1000 } : {}),
    };
    this.save([...this.list(), message]);
    return message;
  }

  /** Every message, oldest first, visible or not, without receiving any. */
  list(): QueueMessage[] {
    return [...this.memory];
  }

  /**
   * Receives up to `maxMessages` visible messages, oldest first, and hides them for `visibilityTimeoutSeconds`;
   * each gets a new receipt handle, which makes any earlier handle of it stale.
   */
  receive(maxMessages: number, visibilityTimeoutSeconds: number, now = Date.now()): ReceivedMessage[] {
    const received: ReceivedMessage[] = [];
    const messages = this.list().map((message) => {
      if (received.length >= maxMessages || (message.invisibleUntil ?? 0) > now) return message;
      const next: QueueMessage = {
        ...message,
        receiveCount: (message.receiveCount ?? 0) + 1,
        firstReceivedAt: message.firstReceivedAt ?? new Date(now).toISOString(),
        invisibleUntil: now + visibilityTimeoutSeconds * 1000,
        receiptToken: randomUUID(),
      };
      received.push({ message: next, receiptHandle: this.handleOf(next) });
      return next;
    });
    if (received.length > 0) this.save(messages);
    return received;
  }

  /** Deletes a message by the receipt handle of its latest receive, answering as SQS does for stale and foreign handles. */
  deleteByReceiptHandle(receiptHandle: string): ReceiptResult {
    const receipt = this.parseHandle(receiptHandle);
    if (!receipt) return 'invalid';
    const messages = this.list();
    const remaining = messages.filter((message) => !(message.messageId === receipt.messageId && message.receiptToken === receipt.token));
    if (remaining.length === messages.length) return 'ignored';
    this.save(remaining);
    return 'deleted';
  }

  /** Sets how long a received message stays hidden from now on; 0 makes it visible at once. */
  changeVisibility(receiptHandle: string, visibilityTimeoutSeconds: number, now = Date.now()): VisibilityResult {
    const receipt = this.parseHandle(receiptHandle);
    if (!receipt) return 'invalid';
    const messages = this.list();
    const index = messages.findIndex((message) => message.messageId === receipt.messageId && message.receiptToken === receipt.token);
    const message = messages[index];
    if (!message || (message.invisibleUntil ?? 0) <= now) return 'not-in-flight';
    messages[index] = { ...message, invisibleUntil: now + visibilityTimeoutSeconds * 1000 };
    this.save(messages);
    return 'changed';
  }

  /** Deletes a message by id, whatever its receive state (the local runtime's own tools, not the SQS API). */
  delete(messageId: string): boolean {
    const messages = this.list();
    const remaining = messages.filter((message) => message.messageId !== messageId);
    this.save(remaining);
    return remaining.length < messages.length;
  }

  /** Every message still in the queue, received or not. */
  get depth(): number {
    return this.list().length;
  }

  counts(now = Date.now()): QueueCounts {
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const message of this.list()) {
      if ((message.invisibleUntil ?? 0) <= now) visible++;
      else if ((message.receiveCount ?? 0) > 0) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }

  /** Receipt handles name the queue, so one queue's handle is refused by another, as SQS refuses it. */
  private handleOf(message: QueueMessage): string {
    return Buffer.from(JSON.stringify({ q: this.name, m: message.messageId, t: message.receiptToken })).toString('base64url');
  }

  private parseHandle(receiptHandle: string): { messageId: string; token: string } | undefined {
    try {
      const parsed = JSON.parse(Buffer.from(receiptHandle, 'base64url').toString('utf8')) as { q?: unknown; m?: unknown; t?: unknown };
      if (parsed.q !== this.name || typeof parsed.m !== 'string' || typeof parsed.t !== 'string') return undefined;
      return { messageId: parsed.m, token: parsed.t };
    } catch {
      return undefined;
    }
  }

  private save(messages: QueueMessage[]): void {
    // Not splice(…, ...messages): a queue of many thousands would pass too many arguments.
    this.memory.length = 0;
    for (const message of messages) this.memory.push(message);
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    // Written beside it, then renamed: a crash mid-write leaves the previous queue, never half a document.
    const partial = `${this.file}.partial`;
    writeFileSync(partial, `${JSON.stringify(messages)}\n`);
    renameSync(partial, this.file);
  }
}
