import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EventflowError } from '../model/errors';
import type { LocalQueue, QueueMessage } from './bus/local-queue';
import { LoopbackServer, replyJson } from './loopback';
import { LOCAL_PLACEMENT } from './placement';
import { LocalRuntimeError } from './errors';

/** The limits SQS enforces on the operations served here; the local queues have SQS's default attributes. */
export const SQS_LIMITS = {
  /** ReceiveMessage's MaxNumberOfMessages, 1–10. */
  maxMessagesPerReceive: 10,
  /** VisibilityTimeout, 0–43,200 seconds (12 hours); a queue's default is 30. */
  maxVisibilityTimeoutSeconds: 43_200,
  defaultVisibilityTimeoutSeconds: 30,
  /** WaitTimeSeconds of a long poll, 0–20. */
  maxWaitTimeSeconds: 20,
  /** DelaySeconds, 0–900. */
  maxDelaySeconds: 900,
  /** Body and attributes together, 1 MiB. */
  maxMessageBytes: 1_048_576,
  /** Message attributes per message. */
  maxMessageAttributes: 10,
  /** How long messages are kept (the infra sets the longest SQS allows, 14 days). */
  messageRetentionSeconds: 1_209_600,
} as const;

const CONTENT_TYPE = 'application/x-amz-json-1.0';
// The characters SQS accepts in a body: #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF.
const INVALID_BODY_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const SYSTEM_ATTRIBUTES = ['SenderId', 'SentTimestamp', 'ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp'] as const;
const QUEUE_ATTRIBUTES = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'QueueArn',
  'VisibilityTimeout',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'SqsManagedSseEnabled',
] as const;

/** One SQS error: HTTP status, the JSON `__type`, and the query-compatible code the SDK reads from `x-amzn-query-error`. */
class SqsError extends EventflowError {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly queryCode: string,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }
}

const queueDoesNotExist = () => new SqsError(400, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
const invalidParameter = (message: string) => new SqsError(400, 'InvalidParameterValue', 'InvalidParameterValue', message);
const missingParameter = (name: string) => new SqsError(400, 'MissingParameter', 'MissingParameter', `The request must contain the parameter ${name}.`);
const invalidReceiptHandle = (handle: string) => new SqsError(404, 'ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);

type Body = Record<string, unknown>;
interface AttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

export interface SqsServerOptions {
  /** @default '000000000000' */
  readonly account?: string;
  /** @default 'eu-west-1' */
  readonly region?: string;
}

/**
 * The local runtime's queues over the SQS API, in the AWS JSON 1.0 protocol the current SDK speaks
 * (`X-Amz-Target: AmazonSQS.<Operation>`): GetQueueUrl, ListQueues, SendMessage, ReceiveMessage (visibility
 * timeout, long polling, message and system attributes), DeleteMessage, ChangeMessageVisibility and
 * GetQueueAttributes. Queue URLs are `<endpoint>/<account id>/<queue name>`; errors carry SQS's `__type` and the
 * `x-amzn-query-error` code, so the SDK raises the same exceptions (QueueDoesNotExist with Code
 * `AWS.SimpleQueueService.NonExistentQueue`, ReceiptHandleIsInvalid, …); MD5OfBody and MD5OfMessageAttributes are
 * computed as SQS computes them (the SDK checks the body's). A receipt handle changes with every receive and only
 * the latest one deletes; an older handle is answered with success and deletes nothing, as SQS documents.
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-json.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html
 */
export class SqsServer extends LoopbackServer {
  private stopping = false;
  private readonly account: string;
  private readonly region: string;

  constructor(
    private readonly queues: ReadonlyMap<string, LocalQueue>,
    options: SqsServerOptions = {},
  ) {
    super();
    this.account = options.account ?? LOCAL_PLACEMENT.accountId;
    this.region = options.region ?? LOCAL_PLACEMENT.region;
  }

  override async start(port = 0, host = '127.0.0.1'): Promise<this> {
    this.stopping = false;
    return super.start(port, host);
  }

  /** Stops listening; long polls under way answer at once with what they have (nothing). */
  override async stop(): Promise<void> {
    this.stopping = true;
    await super.stop();
  }

  /** The URL of a queue, as GetQueueUrl answers it. */
  queueUrl(name: string): string {
    return `${this.url}/${this.account}/${name}`;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const requestId = randomUUID();
    try {
      const target = String(req.headers['x-amz-target'] ?? '');
      if (req.method !== 'POST' || !target.startsWith('AmazonSQS.'))
        throw new SqsError(400, 'UnsupportedOperation', 'AWS.SimpleQueueService.UnsupportedOperation', `Unsupported request: ${req.method} ${target || 'without X-Amz-Target'}`);
      let body: Body;
      try {
        const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new LocalRuntimeError('not an object');
        body = parsed as Body;
      } catch {
        throw new SqsError(400, 'InvalidParameterValue', 'InvalidParameterValue', 'The request body is not a JSON object.');
      }
      const result = await this.operate(target.slice('AmazonSQS.'.length), body);
      res.setHeader('x-amzn-requestid', requestId);
      replyJson(res, 200, result, CONTENT_TYPE);
    } catch (error) {
      const failure = error instanceof SqsError ? error : new SqsError(500, 'InternalError', 'InternalError', (error as Error).message, { cause: error });
      res.setHeader('x-amzn-requestid', requestId);
      res.setHeader('x-amzn-query-error', `${failure.queryCode};${failure.status < 500 ? 'Sender' : 'Receiver'}`);
      replyJson(res, failure.status, { __type: `com.amazonaws.sqs#${failure.type}`, message: failure.message }, CONTENT_TYPE);
    }
  }

  private async operate(operation: string, body: Body): Promise<Body> {
    switch (operation) {
      case 'GetQueueUrl': {
        const name = requiredString(body, 'QueueName');
        const owner = body.QueueOwnerAWSAccountId;
        if (!this.queues.has(name) || (owner !== undefined && owner !== this.account)) throw queueDoesNotExist();
        return { QueueUrl: this.queueUrl(name) };
      }
      case 'ListQueues':
        return this.listQueues(body);
      case 'SendMessage':
        return this.sendMessage(this.queueOf(body), body);
      case 'ReceiveMessage':
        return this.receiveMessage(this.queueOf(body), body);
      case 'DeleteMessage': {
        const queue = this.queueOf(body);
        const handle = requiredString(body, 'ReceiptHandle');
        if (queue.deleteByReceiptHandle(handle) === 'invalid') throw invalidReceiptHandle(handle);
        return {};
      }
      case 'ChangeMessageVisibility': {
        const queue = this.queueOf(body);
        const handle = requiredString(body, 'ReceiptHandle');
        const timeout = integer(body, 'VisibilityTimeout', 0, SQS_LIMITS.maxVisibilityTimeoutSeconds);
        if (timeout === undefined) throw missingParameter('VisibilityTimeout');
        const result = queue.changeVisibility(handle, timeout);
        if (result === 'invalid') throw invalidReceiptHandle(handle);
        if (result === 'not-in-flight') throw new SqsError(400, 'MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight', 'Message is not in flight.');
        return {};
      }
      case 'GetQueueAttributes':
        return this.queueAttributes(this.queueOf(body), body);
      default:
        throw new SqsError(400, 'UnsupportedOperation', 'AWS.SimpleQueueService.UnsupportedOperation', `The local SQS does not serve ${operation}.`);
    }
  }

  private queueOf(body: Body): LocalQueue {
    const queueUrl = requiredString(body, 'QueueUrl');
    let path: string[];
    try {
      path = new URL(queueUrl).pathname.split('/').filter((segment) => segment !== '');
    } catch {
      throw new SqsError(404, 'InvalidAddress', 'InvalidAddress', `The address ${queueUrl} is not valid for this endpoint.`);
    }
    const [account, name] = path;
    const queue = path.length === 2 && account === this.account ? this.queues.get(name as string) : undefined;
    if (!queue) throw queueDoesNotExist();
    return queue;
  }

  private listQueues(body: Body): Body {
    const prefix = typeof body.QueueNamePrefix === 'string' ? body.QueueNamePrefix : '';
    const names = [...this.queues.keys()].filter((name) => name.startsWith(prefix)).sort();
    const max = integer(body, 'MaxResults', 1, 1000);
    const start = typeof body.NextToken === 'string' ? Number(body.NextToken) || 0 : 0;
    const page = max === undefined ? names : names.slice(start, start + max);
    const next = max !== undefined && start + max < names.length ? { NextToken: String(start + max) } : {};
    return page.length > 0 ? { QueueUrls: page.map((name) => this.queueUrl(name)), ...next } : {};
  }

  private sendMessage(queue: LocalQueue, body: Body): Body {
    if (body.MessageBody === undefined) throw missingParameter('MessageBody');
    const messageBody = requiredString(body, 'MessageBody');
    if (messageBody.length === 0) throw invalidParameter('One or more parameters are invalid. Reason: Message must be at least one character.');
    if (INVALID_BODY_CHARACTER.test(messageBody)) {
      throw new SqsError(
        400,
        'InvalidMessageContents',
        'InvalidMessageContents',
        'Invalid characters found. Valid values are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
      );
    }
    const delaySeconds = integer(body, 'DelaySeconds', 0, SQS_LIMITS.maxDelaySeconds) ?? 0;
    const attributes = parseMessageAttributes(body.MessageAttributes);
    const size =
      Buffer.byteLength(messageBody) +
      Object.entries(attributes).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value.DataType) + Buffer.byteLength(value.StringValue ?? value.BinaryValue ?? ''), 0);
    if (size > SQS_LIMITS.maxMessageBytes) throw invalidParameter(`One or more parameters are invalid. Reason: Message must be shorter than ${SQS_LIMITS.maxMessageBytes} bytes.`);
    const values = Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, value.StringValue ?? value.BinaryValue ?? '']));
    const dataTypes = Object.fromEntries(Object.entries(attributes).flatMap(([name, value]) => (value.DataType === 'String' ? [] : [[name, value.DataType]])));
    const message = queue.send(messageBody, values, { dataTypes, delaySeconds });
    return {
      MessageId: message.messageId,
      MD5OfMessageBody: md5(messageBody),
      ...(Object.keys(attributes).length > 0 ? { MD5OfMessageAttributes: md5OfMessageAttributes(attributes) } : {}),
    };
  }

  private async receiveMessage(queue: LocalQueue, body: Body): Promise<Body> {
    const max = integer(body, 'MaxNumberOfMessages', 1, SQS_LIMITS.maxMessagesPerReceive) ?? 1;
    const visibility = integer(body, 'VisibilityTimeout', 0, SQS_LIMITS.maxVisibilityTimeoutSeconds) ?? SQS_LIMITS.defaultVisibilityTimeoutSeconds;
    const waitSeconds = integer(body, 'WaitTimeSeconds', 0, SQS_LIMITS.maxWaitTimeSeconds) ?? 0;
    const deadline = Date.now() + waitSeconds * 1000;
    let received = queue.receive(max, visibility);
    // A long poll answers as soon as a message is visible, or empty when the wait is over.
    while (received.length === 0 && Date.now() < deadline && !this.stopping) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      received = queue.receive(max, visibility);
    }
    if (received.length === 0) return {};
    const wantedAttributes = stringList(body.MessageAttributeNames);
    const wantedSystem = [...stringList(body.MessageSystemAttributeNames), ...stringList(body.AttributeNames)];
    return {
      Messages: received.map(({ message, receiptHandle }) => {
        const attributes = selectAttributes(message, wantedAttributes);
        const system = systemAttributes(message, wantedSystem, this.account);
        return {
          MessageId: message.messageId,
          ReceiptHandle: receiptHandle,
          MD5OfBody: md5(message.body),
          Body: message.body,
          ...(Object.keys(system).length > 0 ? { Attributes: system } : {}),
          ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes, MD5OfMessageAttributes: md5OfMessageAttributes(attributes) } : {}),
        };
      }),
    };
  }

  private queueAttributes(queue: LocalQueue, body: Body): Body {
    const names = stringList(body.AttributeNames);
    const wanted = names.includes('All') ? [...QUEUE_ATTRIBUTES] : names;
    const counts = queue.counts();
    const values: Record<(typeof QUEUE_ATTRIBUTES)[number], string> = {
      ApproximateNumberOfMessages: String(counts.visible),
      ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
      ApproximateNumberOfMessagesDelayed: String(counts.delayed),
      QueueArn: `arn:aws:sqs:${this.region}:${this.account}:${queue.name}`,
      VisibilityTimeout: String(SQS_LIMITS.defaultVisibilityTimeoutSeconds),
      MaximumMessageSize: String(SQS_LIMITS.maxMessageBytes),
      MessageRetentionPeriod: String(SQS_LIMITS.messageRetentionSeconds),
      DelaySeconds: '0',
      ReceiveMessageWaitTimeSeconds: '0',
      SqsManagedSseEnabled: 'true',
    };
    const attributes: Record<string, string> = {};
    for (const name of wanted) {
      if (!(QUEUE_ATTRIBUTES as readonly string[]).includes(name)) throw new SqsError(400, 'InvalidAttributeName', 'InvalidAttributeName', `Unknown Attribute ${name}.`);
      attributes[name] = values[name as (typeof QUEUE_ATTRIBUTES)[number]];
    }
    return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
  }
}

/** MD5 of a string's UTF-8 bytes, in hex, as SQS reports MD5OfBody. */
export function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/**
 * MD5OfMessageAttributes as SQS computes it: attributes sorted by name, each as the 4-byte big-endian length
 * and bytes of its name, of its data type, one transport byte (1 string, 2 binary), and the length and bytes of
 * its value.
 * @see https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
 */
export function md5OfMessageAttributes(attributes: Readonly<Record<string, AttributeValue>>): string {
  const hash = createHash('md5');
  const lengthPrefixed = (bytes: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    hash.update(length);
    hash.update(bytes);
  };
  for (const name of Object.keys(attributes).sort()) {
    const value = attributes[name] as AttributeValue;
    lengthPrefixed(Buffer.from(name, 'utf8'));
    lengthPrefixed(Buffer.from(value.DataType, 'utf8'));
    const binary = value.DataType.startsWith('Binary');
    hash.update(Buffer.from([binary ? 2 : 1]));
    lengthPrefixed(binary ? Buffer.from(value.BinaryValue ?? '', 'base64') : Buffer.from(value.StringValue ?? '', 'utf8'));
  }
  return hash.digest('hex');
}

function parseMessageAttributes(raw: unknown): Record<string, AttributeValue> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidParameter('MessageAttributes must be a map of attribute values.');
  const entries = Object.entries(raw as Record<string, Partial<AttributeValue>>);
  if (entries.length > SQS_LIMITS.maxMessageAttributes) throw invalidParameter(`Number of message attributes [${entries.length}] exceeds the allowed maximum [${SQS_LIMITS.maxMessageAttributes}].`);
  const attributes: Record<string, AttributeValue> = {};
  for (const [name, value] of entries) {
    const dataType = value.DataType ?? '';
    if (!/^(String|Number|Binary)(\..+)?$/.test(dataType))
      throw invalidParameter(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    const binary = dataType.startsWith('Binary');
    const stored = binary ? value.BinaryValue : value.StringValue;
    if (typeof stored !== 'string' || stored === '') throw invalidParameter(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`);
    attributes[name] = binary ? { DataType: dataType, BinaryValue: stored } : { DataType: dataType, StringValue: stored };
  }
  return attributes;
}

/** The message attributes a receive asked for: `All` or `.*`, exact names, or prefixes ending in `.*`. */
function selectAttributes(message: QueueMessage, wanted: readonly string[]): Record<string, AttributeValue> {
  const selected: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(message.attributes)) {
    const include = wanted.some((pattern) => pattern === 'All' || pattern === '.*' || pattern === name || (pattern.endsWith('.*') && name.startsWith(pattern.slice(0, -1))));
    if (!include) continue;
    const dataType = message.dataTypes?.[name] ?? 'String';
    selected[name] = dataType.startsWith('Binary') ? { DataType: dataType, BinaryValue: value } : { DataType: dataType, StringValue: value };
  }
  return selected;
}

function systemAttributes(message: QueueMessage, wanted: readonly string[], account: string): Record<string, string> {
  const all = wanted.includes('All');
  const values: Record<(typeof SYSTEM_ATTRIBUTES)[number], string> = {
    SenderId: account,
    SentTimestamp: String(Date.parse(message.sentAt)),
    ApproximateReceiveCount: String(message.receiveCount ?? 0),
    ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ? Date.parse(message.firstReceivedAt) : Date.now()),
  };
  return Object.fromEntries(SYSTEM_ATTRIBUTES.filter((name) => all || wanted.includes(name)).map((name) => [name, values[name]]));
}

function requiredString(body: Body, name: string): string {
  const value = body[name];
  if (value === undefined || value === null) throw missingParameter(name);
  if (typeof value !== 'string') throw invalidParameter(`Value ${JSON.stringify(value)} for parameter ${name} is invalid. Reason: must be a string.`);
  return value;
}

/** An optional whole-number parameter within SQS's bounds, worded as SQS words the refusal. */
function integer(body: Body, name: string, min: number, max: number): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(`Value ${String(value)} for parameter ${name} is invalid. Reason: Must be between ${min} and ${max}, if provided.`);
  }
  return value;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
