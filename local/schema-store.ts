import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import type { EventCatalog } from '../model/catalog';
import { SCHEMA_MEDIA_TYPE, schemaDocument, schemaObjectKey } from '../model/schema-location';
import { LoopbackServer } from './loopback';

/** One stored schema, as S3 describes an object of a versioned bucket. */
interface StoredObject {
  readonly body: Buffer;
  readonly etag: string;
  readonly versionId: string;
  readonly lastModified: string;
}

/**
 * The schema buckets of the local runtime: a read-only stand-in for S3's GetObject and HeadObject in path style
 * (`GET /<bucket>/<key>`), holding what infra uploads to each region's schema bucket. The local runtime stamps
 * `metadata.schema` with these URLs, so a plain HTTP GET, the consumer helper and `aws s3 cp --endpoint-url` all
 * fetch the exact text that validated the event. Answers as S3 does for a reader: the object with its ETag and
 * version id, `NoSuchBucket` or `NoSuchKey` as S3's XML errors, and `AccessDenied` for any write (the deployed
 * bucket grants readers GetObject only).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
export class LocalSchemaStore extends LoopbackServer {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();

  /** Puts every version of the catalog into each bucket, under the keys infra uses. */
  constructor(catalog: EventCatalog, bucketNames: readonly string[]) {
    super();
    const lastModified = new Date().toUTCString();
    const objects = new Map(
      catalog.all().map((entry) => {
        const body = Buffer.from(schemaDocument(catalog, entry), 'utf8');
        const md5 = createHash('md5').update(body).digest('hex');
        // A versioned bucket gives each upload a version id; the same text keeps the same id here.
        const versionId = createHash('sha256').update(body).digest('base64url').slice(0, 32);
        return [schemaObjectKey(entry), { body, etag: `"${md5}"`, versionId, lastModified }];
      }),
    );
    for (const bucket of bucketNames) this.buckets.set(bucket, objects);
  }

  /** The base URL of one bucket's schemas (path style, as an SDK with `forcePathStyle` addresses a custom endpoint). */
  baseUrl(bucket: string): string {
    if (!this.buckets.has(bucket)) throw new RangeError(`no local schema bucket ${JSON.stringify(bucket)} (known: ${[...this.buckets.keys()].join(', ')})`);
    return `${this.url}/${bucket}/`;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    const requestId = randomUUID();
    const path = safePath(req.url);
    const slash = path?.indexOf('/', 1) ?? -1;
    const bucketName = path === undefined ? '' : slash < 0 ? path.slice(1) : path.slice(1, slash);
    const key = path === undefined || slash < 0 ? '' : path.slice(slash + 1);
    if (req.method !== 'GET' && req.method !== 'HEAD') return s3Error(res, 403, 'AccessDenied', 'Access Denied', requestId);
    const bucket = this.buckets.get(bucketName);
    if (!bucket) return s3Error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', requestId, { BucketName: bucketName });
    const object = bucket.get(key);
    if (!object) return s3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.', requestId, { Key: key });
    res.writeHead(200, {
      'content-type': SCHEMA_MEDIA_TYPE,
      'content-length': object.body.length,
      etag: object.etag,
      'last-modified': object.lastModified,
      'x-amz-version-id': object.versionId,
      'x-amz-request-id': requestId,
    });
    res.end(req.method === 'HEAD' ? undefined : object.body);
  }
}

/** The decoded path of a request target, or undefined when it cannot be decoded. */
function safePath(target: string | undefined): string | undefined {
  try {
    return decodeURIComponent(new URL(target ?? '/', 'http://local').pathname);
  } catch {
    return undefined;
  }
}

function s3Error(res: ServerResponse, status: number, code: string, message: string, requestId: string, extra: Record<string, string> = {}): void {
  const fields = Object.entries(extra)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
  res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>${fields}<RequestId>${requestId}</RequestId></Error>`);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
