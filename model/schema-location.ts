import type { EventCatalog, EventVersion } from './catalog';
import { EventflowError } from './errors';

/**
 * Where each event version's schema can be downloaded, as the 2024 talk's envelope does
 * (`"schema": "s3://bucket/Pets-1.schema.json"`): one object per version, whose URL is the event's
 * `metadata.schema`. The object holds the whole event's self-contained schema (`EventCatalog.eventSchema`), the
 * same text producers and consumers validate against, so whoever holds an event can fetch what it follows.
 */

/** The environment variable a function reads the base URL from; set by infra and by the local runtime. */
export const SCHEMA_BASE_URL_ENV = 'EVENT_SCHEMA_BASE_URL';

/** The object key of one version's schema under the base: `events/<source>/<EventName>.v<N>.json`. */
export function schemaObjectKey(entry: Pick<EventVersion, 'source' | 'name' | 'version'>): string {
  return `events/${entry.source}/${entry.name}.v${entry.version}.json`;
}

/** Resolves a version's schema URL against a base; throws when the base cannot be one (a stage setting gone wrong). */
export function schemaUrl(baseUrl: string, entry: Pick<EventVersion, 'source' | 'name' | 'version'>): string {
  return new URL(schemaObjectKey(entry), schemaBase(baseUrl)).href;
}

/**
 * The text of one version's published schema: what infra uploads, the local runtime serves, and the publisher and
 * consumers validate against (the catalog's self-contained event schema), so a download is byte for byte the same
 * everywhere.
 */
export function schemaDocument(catalog: EventCatalog, entry: EventVersion): string {
  return `${JSON.stringify(catalog.eventSchema(entry), null, 2)}\n`;
}

/** The media type the schemas are served with (JSON Schema's, from its specification). */
export const SCHEMA_MEDIA_TYPE = 'application/schema+json';

/** How `metadata.schema` is stamped: the version's URL under a base, or without one its registry name (the earlier form). */
export type SchemaLocator = (entry: EventVersion) => string;

export function schemaLocator(baseUrl: string | undefined): SchemaLocator {
  if (baseUrl === undefined || baseUrl === '') return (entry) => entry.schemaRef;
  const base = schemaBase(baseUrl);
  return (entry) => new URL(schemaObjectKey(entry), base).href;
}

/**
 * The virtual-hosted-style URL of an S3 object, the form the S3 documentation gives:
 * `https://<bucket>.s3.<region>.amazonaws.com/<key>`.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
 */
export function s3BaseUrl(bucket: string, region: string): string {
  return `https://${bucket}.s3.${region}.amazonaws.com/`;
}

function schemaBase(baseUrl: string): URL {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    throw new EventflowError(`${SCHEMA_BASE_URL_ENV} must be an absolute http(s) URL such as https://bucket.s3.eu-west-1.amazonaws.com/, got ${JSON.stringify(baseUrl)}`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new EventflowError(`${SCHEMA_BASE_URL_ENV} must be an http(s) URL, got ${JSON.stringify(baseUrl)}`);
  // A base without a trailing slash would lose its last segment when a key is resolved against it.
  if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
  return base;
}
