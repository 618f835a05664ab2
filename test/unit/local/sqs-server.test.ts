import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalQueue } from '../../../local/bus/local-queue';
import { SqsServer, md5OfMessageAttributes } from '../../../local/sqs-server';

// The local queues through the real @aws-sdk/client-sqs (AWS JSON 1.0), checked against the SQS API reference:
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html
// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html
describe('SqsServer', () => {
  let dir: string;
  let queues: Map<string, LocalQueue>;
  let server: SqsServer;
  let sqs: SQSClient;
  let dlqUrl: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'eventflow-sqs-'));
    queues = new Map([
      ['orders-dlq', new LocalQueue('orders-dlq', join(dir, 'orders-dlq.json'))],
      ['other-dlq', new LocalQueue('other-dlq')],
    ]);
    server = await new SqsServer(queues).start();
    sqs = new SQSClient({ endpoint: server.url, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
    dlqUrl = server.queueUrl('orders-dlq');
  });
  afterEach(async () => {
    sqs.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (body: string, attributes: Record<string, string> = {}) =>
    sqs.send(
      new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: body, MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }])) }),
    );
  const receive = (input: { VisibilityTimeout?: number; MaxNumberOfMessages?: number; WaitTimeSeconds?: number; MessageAttributeNames?: string[] } = {}) =>
    sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 0, ...input }));
  const counts = async () => {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    return { visible: Number(Attributes?.ApproximateNumberOfMessages), inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible) };
  };

  describe('queue URLs', () => {
    it('answers GetQueueUrl with <endpoint>/<account id>/<queue name> and lists queues by prefix', async () => {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders-dlq' }));
      const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'orders' }));

      expect(QueueUrl).toBe(`${server.url}/000000000000/orders-dlq`);
      expect(listed.QueueUrls).toEqual([QueueUrl]);
    });

    it('refuses an unknown queue with QueueDoesNotExist, code AWS.SimpleQueueService.NonExistentQueue, HTTP 400', async () => {
      const byName = (await sqs.send(new GetQueueUrlCommand({ QueueName: 'no-such-queue' })).catch((e: unknown) => e)) as QueueDoesNotExist & { Code?: string };
      const byUrl = (await sqs.send(new SendMessageCommand({ QueueUrl: server.queueUrl('no-such-queue'), MessageBody: 'x' })).catch((e: unknown) => e)) as Error;

      expect(byName).toBeInstanceOf(QueueDoesNotExist);
      expect(byName).toMatchObject({ name: 'QueueDoesNotExist', Code: 'AWS.SimpleQueueService.NonExistentQueue', message: 'The specified queue does not exist.', $metadata: { httpStatusCode: 400 } });
      expect(byUrl).toBeInstanceOf(QueueDoesNotExist);
    });
  });

  describe('SendMessage and ReceiveMessage', () => {
    it('answers MD5OfBody and MD5OfMessageAttributes as SQS computes them', async () => {
      const sent = await sqs.send(
        new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: '{"détail":"ü"}', MessageAttributes: { attribName1: { DataType: 'String', StringValue: 'attribValue 1' } } }),
      );
      const { Messages } = await receive({ MessageAttributeNames: ['All'] });

      const expectedBody = createHash('md5').update('{"détail":"ü"}', 'utf8').digest('hex');
      expect(sent.MD5OfMessageBody).toBe(expectedBody);
      // The value published for this attribute by an independent implementation (npm aws-md5-of-message-attributes).
      expect(sent.MD5OfMessageAttributes).toBe('19e27d4e946b072f3f58da80d94fd778');
      expect(Messages?.[0]).toMatchObject({ MessageId: sent.MessageId, Body: '{"détail":"ü"}', MD5OfBody: expectedBody, MD5OfMessageAttributes: '19e27d4e946b072f3f58da80d94fd778' });
    });

    it('computes MD5OfMessageAttributes over binary and custom types too', () => {
      const binary = { binaryAttribute: { DataType: 'Binary', BinaryValue: Buffer.from('Hello binary world!').toString('base64') } };

      expect(md5OfMessageAttributes(binary)).toBe('31a92b15d92f8db860eda32aceb656c3');
      expect(md5OfMessageAttributes({ customNumberTypeAttrib: { DataType: 'Number.float', StringValue: '4563442423554324324264524243.32543234' } })).toBe('9fe1b90bbd9965bdf77bac517c7d2495');
    });

    it('hides a received message for its visibility timeout, then hands it out again with a new receipt handle', async () => {
      await send('dead letter');

      const first = (await receive({ VisibilityTimeout: 1 })).Messages ?? [];
      const whileHidden = (await receive()).Messages ?? [];
      const hiddenCounts = await counts();
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const again = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }))).Messages ?? [];

      expect(first).toHaveLength(1);
      expect(whileHidden).toHaveLength(0);
      expect(hiddenCounts).toEqual({ visible: 0, inFlight: 1 });
      expect(again.map((m) => m.MessageId)).toEqual([first[0]?.MessageId]);
      expect(again[0]?.ReceiptHandle).not.toBe(first[0]?.ReceiptHandle);
      expect(again[0]?.Attributes).toEqual({ ApproximateReceiveCount: '2' });
    });

    it('returns at most MaxNumberOfMessages, and refuses more than 10', async () => {
      for (let i = 0; i < 12; i++) await send(`m${i}`);

      const batch = await receive({ MaxNumberOfMessages: 10 });
      const error = (await receive({ MaxNumberOfMessages: 11 }).catch((e: unknown) => e)) as Error;

      expect(batch.Messages).toHaveLength(10);
      expect(error).toMatchObject({ name: 'InvalidParameterValue', message: 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.' });
    });

    it('returns only the message attributes asked for, by name or by prefix', async () => {
      await send('{}', { RULE_ARN: 'arn:aws:events:eu-west-1:000000000000:rule/bus/r', ERROR_CODE: 'HTTP503', ERROR_MESSAGE: 'unavailable', 'trace.id': '1', 'trace.parent': '2' });

      const [named] = (await receive({ MessageAttributeNames: ['ERROR_CODE', 'ERROR_MESSAGE'], VisibilityTimeout: 0 })).Messages ?? [];
      // SQS's prefix form: `trace.*` returns the attributes whose names start with `trace.`.
      const [prefixed] = (await receive({ MessageAttributeNames: ['trace.*'], VisibilityTimeout: 0 })).Messages ?? [];
      const [bare] = (await receive()).Messages ?? [];

      expect(Object.keys(named?.MessageAttributes ?? {}).sort()).toEqual(['ERROR_CODE', 'ERROR_MESSAGE']);
      expect(named?.MessageAttributes?.ERROR_CODE).toEqual({ DataType: 'String', StringValue: 'HTTP503' });
      expect(Object.keys(prefixed?.MessageAttributes ?? {}).sort()).toEqual(['trace.id', 'trace.parent']);
      expect(bare?.MessageAttributes).toBeUndefined();
    });

    it('answers a long poll as soon as a message arrives', async () => {
      const started = Date.now();
      const polled = receive({ WaitTimeSeconds: 5 });
      setTimeout(() => void send('late'), 150);

      const { Messages } = await polled;

      expect(Messages?.map((m) => m.Body)).toEqual(['late']);
      expect(Date.now() - started).toBeLessThan(2000);
    });
  });

  describe('DeleteMessage', () => {
    it('deletes by the latest receipt handle; an older handle answers success and deletes nothing, as SQS documents', async () => {
      await send('dead letter');
      const stale = (await receive({ VisibilityTimeout: 0 })).Messages?.[0]?.ReceiptHandle as string;
      const latest = (await receive({ VisibilityTimeout: 30 })).Messages?.[0]?.ReceiptHandle as string;

      await sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: stale }));
      const afterStale = await counts();
      await sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: latest }));
      const afterLatest = await counts();

      expect(afterStale).toEqual({ visible: 0, inFlight: 1 });
      expect(afterLatest).toEqual({ visible: 0, inFlight: 0 });
    });

    it('refuses a handle that is not a receipt handle, or is another queue’s, with ReceiptHandleIsInvalid', async () => {
      await queues.get('other-dlq')?.send('elsewhere', {});
      const foreign = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: server.queueUrl('other-dlq') }))).Messages?.[0]?.ReceiptHandle as string;

      const garbage = (await sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: 'not-a-handle' })).catch((e: unknown) => e)) as Error;
      const wrongQueue = (await sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: foreign })).catch((e: unknown) => e)) as Error;

      expect(garbage).toBeInstanceOf(ReceiptHandleIsInvalid);
      expect(garbage.message).toBe('The input receipt handle "not-a-handle" is not a valid receipt handle.');
      expect(wrongQueue).toBeInstanceOf(ReceiptHandleIsInvalid);
    });
  });

  describe('ChangeMessageVisibility and GetQueueAttributes', () => {
    it('makes a received message visible again at once with a timeout of 0', async () => {
      await send('dead letter');
      const handle = (await receive({ VisibilityTimeout: 300 })).Messages?.[0]?.ReceiptHandle as string;

      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: dlqUrl, ReceiptHandle: handle, VisibilityTimeout: 0 }));

      expect(await counts()).toEqual({ visible: 1, inFlight: 0 });
    });

    it('reports the queue’s attributes, and refuses an unknown attribute name', async () => {
      await send('a');
      await send('b');
      await receive({ VisibilityTimeout: 60 });

      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['All'] }));
      const unknown = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['NoSuchAttribute' as 'All'] })).catch((e: unknown) => e)) as Error;

      expect(Attributes).toMatchObject({
        ApproximateNumberOfMessages: '1',
        ApproximateNumberOfMessagesNotVisible: '1',
        ApproximateNumberOfMessagesDelayed: '0',
        QueueArn: 'arn:aws:sqs:eu-west-1:000000000000:orders-dlq',
        VisibilityTimeout: '30',
      });
      expect(unknown).toMatchObject({ name: 'InvalidAttributeName', message: 'Unknown Attribute NoSuchAttribute.' });
    });
  });

  it('keeps messages in the queue’s file, so a restart of the runtime finds them', async () => {
    const sent = await send('survives');

    const reopened = new LocalQueue('orders-dlq', join(dir, 'orders-dlq.json'));

    expect(reopened.list().map((m) => [m.messageId, m.body])).toEqual([[sent.MessageId, 'survives']]);
  });
});
