import type { Application } from '../model/application';
import type { JsonSchema } from '../model/schema-validation';

/** A JSON document. */
type Document = { [key: string]: unknown };

const key = (name: string, version: number) => `${name}.v${version}`;

/**
 * The bus as an AsyncAPI 3.0 document: one channel per event (addressed by its source and detail-type), one
 * message per version with the whole event's schema, a send operation for each producer and a receive
 * operation for each consumer. Schemas are given as AsyncAPI Schema objects (a superset of the draft-04
 * subset the catalog uses), without the draft-04 `$schema` marker.
 */
export function asyncApiDocument(app: Application, version: string): Document {
  const channels: Document = {};
  const messages: Document = {};
  const operations: Document = {};
  for (const event of app.catalog.eventNames()) {
    const versions = app.catalog.versionsOf(event);
    const channelMessages: Document = {};
    for (const entry of versions) {
      const { $schema: _draft, ...schema } = app.catalog.eventSchema(entry) as JsonSchema & { $schema?: string };
      messages[key(event, entry.version)] = {
        name: key(event, entry.version),
        title: `${event} v${entry.version}`,
        summary: entry.description,
        contentType: 'application/json',
        payload: schema,
        ...(entry.ttl ? { description: `Retired after ${entry.ttl} in favour of v${entry.nextVersion}.` } : {}),
      };
      channelMessages[key(event, entry.version)] = { $ref: `#/components/messages/${key(event, entry.version)}` };
    }
    channels[event] = { address: `${versions[0]?.source}/${event}`, description: versions[versions.length - 1]?.description, messages: channelMessages };
    const refs = Object.keys(channelMessages).map((name) => ({ $ref: `#/channels/${event}/messages/${name}` }));
    for (const producer of app.producersOf(event)) {
      operations[`${producer.id}.send${event}`] = { action: 'send', channel: { $ref: `#/channels/${event}` }, summary: `${producer.id}: ${producer.description}`, messages: refs };
    }
    for (const consumer of app.consumersOf(event)) {
      const consumed = consumer.inputs.filter((input) => input.name === event).map((input) => ({ $ref: `#/channels/${event}/messages/${key(event, input.version)}` }));
      operations[`${consumer.id}.receive${event}`] = {
        action: 'receive',
        channel: { $ref: `#/channels/${event}` },
        summary: `${consumer.id} (${consumer.style}): ${consumer.description}`,
        messages: consumed,
      };
    }
  }
  return {
    asyncapi: '3.0.0',
    info: { title: app.name, version, description: 'The order system’s events on its Amazon EventBridge bus, generated from the application model and the event catalog.' },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}
