import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { closeServer, listenOnLoopback } from './loopback';
import { SinkLog } from './sink-log';

/** An e-mail as the sink received it through the SESv2 SendEmail API. */
export interface ReceivedEmail {
  readonly messageId: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly tags: Readonly<Record<string, string>>;
  /** When SES accepted it (ISO 8601). */
  readonly receivedAt: string;
}

interface SendEmailBody {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[] };
  Content?: { Simple?: { Subject?: { Data?: string }; Body?: { Text?: { Data?: string } } } };
  EmailTags?: Array<{ Name: string; Value: string }>;
}

/**
 * Stands in for Amazon SES on loopback: answers SESv2 SendEmail (`POST /v2/email/outbound-emails`, REST-JSON)
 * as SES does, so the unchanged SDK client in Notifications sends to it, and records every e-mail.
 */
export class EmailSink {
  private readonly log: SinkLog<ReceivedEmail>;
  private server?: Server;
  url = '';

  /** @param file where received e-mails survive a restart (SES keeps what it accepted). */
  constructor(file?: string) {
    this.log = new SinkLog(file);
  }

  /** Every e-mail received, oldest first. */
  get received(): readonly ReceivedEmail[] {
    return this.log.items;
  }

  async start(port = 0): Promise<this> {
    ({ server: this.server, url: this.url } = await listenOnLoopback((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v2/email/outbound-emails') {
          res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'NotFoundException' });
          res.end(JSON.stringify({ message: `the e-mail sink serves only SendEmail, not ${req.method} ${req.url}` }));
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as SendEmailBody;
        const to = body.Destination?.ToAddresses ?? [];
        if (!body.FromEmailAddress || to.length === 0) {
          res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'BadRequestException' });
          res.end(JSON.stringify({ message: 'FromEmailAddress and Destination.ToAddresses are required' }));
          return;
        }
        const email: ReceivedEmail = {
          messageId: randomUUID(),
          from: body.FromEmailAddress,
          to,
          subject: body.Content?.Simple?.Subject?.Data ?? '',
          text: body.Content?.Simple?.Body?.Text?.Data ?? '',
          tags: Object.fromEntries((body.EmailTags ?? []).map((tag) => [tag.Name, tag.Value])),
          receivedAt: new Date().toISOString(),
        };
        this.log.push(email);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ MessageId: email.messageId }));
      });
    }, port));
    return this;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }
}
