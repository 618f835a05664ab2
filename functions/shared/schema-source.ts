import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { EventflowError } from '../../model/errors';
import { compileSchema, type JsonSchema, type SchemaCheck } from '../../model/schema-validation';
import { SDK_CLIENT_DEFAULTS } from './sdk';

/** A schema could not be fetched or read: names the URL and what went wrong. */
export class SchemaFetchError extends EventflowError {
  constructor(
    readonly url: string,
    reason: string,
  ) {
    super(`cannot fetch the schema at ${url}: ${reason}`);
    this.name = 'SchemaFetchError';
  }
}

export interface SchemaSourceOptions {
  /**
   * Reads schemas in S3 (a `https://<bucket>.s3.<region>.amazonaws.com/…` or `s3://<bucket>/…` URL) with the caller's
   * credentials: the bucket admits the organization or listed accounts, so requests must be signed.
   * @default - a client per region, configured from the environment
   */
  readonly s3?: S3Client;
  /** Reads any other http(s) URL (the local runtime's schema store). @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /**
   * How long a fetched schema is kept. A version's schema changes only compatibly (the schema gate refuses the
   * rest), so an hour is safe and keeps a consumer from fetching on every event. @default 3,600,000 (one hour)
   */
  readonly maxAgeMs?: number;
  /** @internal the clock, replaced in tests */
  readonly now?: () => number;
}

/** The S3 virtual-hosted host form: `<bucket>.s3.<region>.amazonaws.com` (https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html). */
const VIRTUAL_HOSTED = /^(?<bucket>[a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\.s3[.-](?<region>[a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com$/;

/**
 * Fetches event schemas by the URL an event carries in `metadata.schema`, for consumers outside this repository
 * that validate what they receive against what the producer published. Each schema is fetched once per `maxAgeMs`
 * (concurrent requests for one URL share one fetch) and compiled once; a failed fetch is not kept, so the next
 * call tries again.
 *
 * @example
 * ```ts
 * const schemas = new SchemaSource();
 * const violations = (await schemas.check(event.detail.metadata.schema))(event);
 * ```
 */
export class SchemaSource {
  private readonly cache = new Map<string, { readonly at: number; readonly schema: Promise<JsonSchema>; check?: SchemaCheck }>();
  private readonly clients = new Map<string, S3Client>();
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(private readonly options: SchemaSourceOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 3_600_000;
    this.now = options.now ?? Date.now;
  }

  /** The schema at `url`, parsed. Throws {@link SchemaFetchError} naming the URL and the reason. */
  async schema(url: string): Promise<JsonSchema> {
    return (await this.entry(url)).schema;
  }

  /** The compiled check of the schema at `url`: returns the violations of an event, none when it conforms. */
  async check(url: string): Promise<SchemaCheck> {
    const entry = await this.entry(url);
    const schema = await entry.schema;
    entry.check ??= compileSchema(schema);
    return entry.check;
  }

  private async entry(url: string): Promise<{ readonly at: number; readonly schema: Promise<JsonSchema>; check?: SchemaCheck }> {
    const cached = this.cache.get(url);
    if (cached && this.now() - cached.at < this.maxAgeMs) return cached;
    const entry = { at: this.now(), schema: this.load(url) };
    this.cache.set(url, entry);
    entry.schema.catch(() => {
      if (this.cache.get(url) === entry) this.cache.delete(url);
    });
    await entry.schema;
    return entry;
  }

  private async load(url: string): Promise<JsonSchema> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new SchemaFetchError(url, 'it is not a URL (an event from a producer with no schema bucket carries a registry name instead)');
    }
    const s3 = s3Location(parsed);
    const text = s3 ? await this.fromS3(url, s3) : await this.fromHttp(url, parsed);
    let schema: unknown;
    try {
      schema = JSON.parse(text);
    } catch (error) {
      throw new SchemaFetchError(url, `the body is not JSON (${(error as Error).message})`);
    }
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new SchemaFetchError(url, 'the body is not a JSON Schema object');
    return schema as JsonSchema;
  }

  private async fromS3(url: string, location: { readonly bucket: string; readonly key: string; readonly region?: string }): Promise<string> {
    const client = this.options.s3 ?? this.clientFor(location.region);
    try {
      const object = await client.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
      if (!object.Body) throw new SchemaFetchError(url, 'S3 returned no body');
      return await object.Body.transformToString('utf-8');
    } catch (error) {
      if (error instanceof SchemaFetchError) throw error;
      throw new SchemaFetchError(url, `S3 GetObject failed: ${(error as Error).name}: ${(error as Error).message}`);
    }
  }

  private async fromHttp(url: string, parsed: URL): Promise<string> {
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new SchemaFetchError(url, `only http(s) and s3 URLs can be fetched, got ${parsed.protocol}`);
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url);
    } catch (error) {
      throw new SchemaFetchError(url, `the request failed: ${(error as Error).message}`);
    }
    if (!response.ok) throw new SchemaFetchError(url, `the server answered ${response.status} ${response.statusText}`);
    return response.text();
  }

  private clientFor(region: string | undefined): S3Client {
    const key = region ?? '';
    let client = this.clients.get(key);
    if (!client) {
      client = new S3Client({ ...SDK_CLIENT_DEFAULTS, ...(region ? { region } : {}), followRegionRedirects: true });
      this.clients.set(key, client);
    }
    return client;
  }
}

/** The bucket, key and region of an S3 URL (virtual-hosted https or s3://), or undefined for any other URL. */
export function s3Location(url: URL): { readonly bucket: string; readonly key: string; readonly region?: string } | undefined {
  const key = decodeURIComponent(url.pathname.slice(1));
  if (url.protocol === 's3:') return { bucket: url.hostname, key };
  const match = url.protocol === 'https:' ? VIRTUAL_HOSTED.exec(url.hostname) : null;
  if (!match?.groups) return undefined;
  return { bucket: match.groups.bucket as string, key, region: match.groups.region as string };
}
