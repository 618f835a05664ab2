import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { CONTACTS_TABLE } from '../../model/tables';
import { SDK_CLIENT_DEFAULTS, consumerFromEnv, publisherFor, requiredEnv, sharedDynamo, tableName, tracedClient, type DataOf } from '../shared';
import { effectOnce } from '../shared/effect';
import { emailFor, notifyingEvent } from './templates';

const contactsTable = tableName(CONTACTS_TABLE);
const senderEmail = requiredEnv('SENDER_EMAIL');
const publisher = publisherFor('notifications.SendEmail');
const ses = tracedClient(new SESv2Client({ ...SDK_CLIENT_DEFAULTS }));

interface Contact {
  readonly customerId: string;
  readonly name: string;
  readonly email: string;
}

// The e-mail is recorded as sent the moment SES accepts it, so a retry after EmailSent failed to publish (or
// after a crash while publishing) does not e-mail the customer again.
const sendOnce = effectOnce<{ messageId: string }>('notifications.SendEmail');

/**
 * Choreography: e-mails the customer on ItemNotAvailable, PaymentMade and PaymentFailed, then announces EmailSent.
 * The saga does not know this consumer exists. Its idempotency record means a repeated event sends one e-mail.
 */
export const handler = consumerFromEnv<DataOf<'ItemNotAvailable', 1> | DataOf<'PaymentMade', 2> | DataOf<'PaymentFailed', 1>, { messageId: string | null }>(
  'notifications.SendEmail',
  async (event, { logger, lambdaContext }) => {
    const { orderId, customerId } = event.detail.data;
    const contact = (await sharedDynamo().documents.send(new GetCommand({ TableName: contactsTable, Key: { customerId } }))).Item as Contact | undefined;
    if (!contact) {
      logger.warn('no contact for customer; no e-mail sent', { customerId });
      return { messageId: null };
    }
    const email = emailFor(notifyingEvent(event['detail-type'], event.detail.data), contact.name);
    const send = async () => {
      const sent = await ses.send(
        new SendEmailCommand({
          FromEmailAddress: senderEmail,
          Destination: { ToAddresses: [contact.email] },
          Content: { Simple: { Subject: { Data: email.subject }, Body: { Text: { Data: email.text } } } },
          EmailTags: [
            { Name: 'template', Value: email.template },
            // SES tags travel with the message's events (deliveries, bounces): a bounce can be traced to its order.
            { Name: 'orderId', Value: orderId },
          ],
        }),
      );
      return { messageId: sent.MessageId ?? 'unknown' };
    };
    const { messageId } = await sendOnce(event.detail.metadata.idempotencyKey, send, lambdaContext);
    await publisher.publish({
      detailType: 'EmailSent',
      cause: event.detail.metadata,
      data: { orderId, customerId, template: email.template, trigger: event['detail-type'], messageId },
    });
    return { messageId };
  },
);
