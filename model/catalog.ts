import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CatalogError, type ModelProblem } from './errors';
import { repoRoot } from './paths';
import { compileSchema, type JsonSchema, type SchemaCheck } from './schema-validation';
import type { SchemaLocator } from './schema-location';

/** Where the catalog's JSON Schemas live: `catalog/<producing service>/<EventName>.v<N>.json`; a bundled function is told by EVENTFLOW_CATALOG_DIR. */
export const CATALOG_DIR = process.env.EVENTFLOW_CATALOG_DIR ?? join(repoRoot(), 'catalog');

/** Every event's `source` is this prefix plus the producing service's folder name. */
export const SOURCE_PREFIX = 'eventflow.';

const DRAFT_04 = 'http://json-schema.org/draft-04/schema#';
const FILE_NAME = /^([A-Z][A-Za-z0-9]*)\.v([1-9][0-9]*)\.json$/;
const SERVICE_NAME = /^[a-z][a-z0-9-]*$/;
/** A version's retirement plan sits in the schema file under this key (removed before compiling). */
const LIFECYCLE_KEY = 'x-eventflow';

/** One version of one event type, as the catalog declares it. */
export interface EventVersion {
  /** The EventBridge detail-type, e.g. `OrderCreated`. */
  readonly name: string;
  /** The producing service, which owns the schema. */
  readonly service: string;
  /** The EventBridge source, `eventflow.<service>`. */
  readonly source: string;
  readonly version: number;
  /** Schema registry name of this version, carried in `metadata.schema`. */
  readonly schemaRef: string;
  readonly description: string;
  /** The schema of `detail.data`, as written in the catalog file. */
  readonly dataSchema: JsonSchema;
  /** When this version stops being published; null while it is current. */
  readonly ttl: string | null;
  /** The version that replaces this one after `ttl`; null while this version is current. */
  readonly nextVersion: number | null;
  /** Path of the schema file, relative to the catalog folder. */
  readonly file: string;
}

/**
 * One version of the body an API action accepts, owned by the action's service like its events:
 * `catalog/<service>/requests/<Action>.v<N>.json`. API Gateway validates requests against it as a model before the
 * function runs, the local API does the same, and the function checks it again.
 */
export interface RequestVersion {
  /** The action's name within its service (`CreateOrder`). */
  readonly action: string;
  readonly service: string;
  /** The model's action id (`orders.CreateOrder`). */
  readonly actionId: string;
  readonly version: number;
  readonly description: string;
  /** The JSON Schema (draft 4, which API Gateway models use) of the body. */
  readonly schema: JsonSchema;
  /** The API Gateway model name: letters and digits only (`CreateOrderV1`). */
  readonly modelName: string;
  /** Path of the schema file, relative to the catalog folder. */
  readonly file: string;
}

/** Where a service keeps its request contracts, inside its catalog folder. */
export const REQUESTS_FOLDER = 'requests';

/** The versioned event schemas, loaded once and checked for consistency. */
export class EventCatalog {
  private readonly byName = new Map<string, EventVersion[]>();
  private readonly checks = new Map<string, SchemaCheck>();
  private readonly requests: readonly RequestVersion[];

  private constructor(
    entries: readonly EventVersion[],
    readonly envelopeSchema: JsonSchema,
    requests: readonly RequestVersion[] = [],
  ) {
    for (const entry of entries) {
      const versions = this.byName.get(entry.name) ?? [];
      versions.push(entry);
      this.byName.set(entry.name, versions);
    }
    for (const versions of this.byName.values()) versions.sort((a, b) => a.version - b.version);
    this.requests = [...requests].sort((a, b) => a.actionId.localeCompare(b.actionId) || a.version - b.version);
  }

  /**
   * Reads and checks every schema under `dir`; throws {@link CatalogError} listing every problem found.
   * With `compileSchemas: false` schemas compile on first use instead (infra never validates events).
   */
  static load(dir: string = CATALOG_DIR, options: { readonly compileSchemas?: boolean } = {}): EventCatalog {
    const problems: ModelProblem[] = [];
    const envelopeSchema = readJson(join(dir, 'envelope.json'), 'envelope.json', problems) ?? {};
    const entries: EventVersion[] = [];
    const requests: RequestVersion[] = [];
    for (const service of listDirectories(dir)) {
      if (!SERVICE_NAME.test(service)) {
        problems.push({ where: service, problem: 'a service folder must be kebab-case (lower-case letters, digits, hyphens)' });
        continue;
      }
      for (const fileName of readdirSync(join(dir, service)).sort()) {
        const file = `${service}/${fileName}`;
        if (fileName === REQUESTS_FOLDER && statSync(join(dir, file)).isDirectory()) {
          for (const requestFile of readdirSync(join(dir, file)).sort()) {
            const request = readRequest(dir, service, requestFile, `${file}/${requestFile}`, problems);
            if (request) requests.push(request);
          }
          continue;
        }
        const entry = readEntry(dir, service, fileName, file, problems);
        if (entry) entries.push(entry);
      }
    }
    problems.push(...requestVersionProblems(requests));
    const catalog = new EventCatalog(entries, envelopeSchema, requests);
    problems.push(...catalog.lifecycleProblems());
    if (problems.length === 0 && options.compileSchemas !== false) problems.push(...catalog.compileAll());
    if (problems.length > 0) throw new CatalogError(problems);
    return catalog;
  }

  /** Every event name (detail-type), sorted. */
  eventNames(): string[] {
    return [...this.byName.keys()].sort();
  }

  /** Every version of every event, grouped by name and ordered by version. */
  all(): EventVersion[] {
    return this.eventNames().flatMap((name) => this.byName.get(name) ?? []);
  }

  /** Every request contract version, by action and then version. */
  requestVersions(): readonly RequestVersion[] {
    return this.requests;
  }

  /** The request contract an API action serves: its newest version; undefined when the action has none. */
  currentRequest(actionId: string): RequestVersion | undefined {
    return this.requests.filter((request) => request.actionId === actionId).at(-1);
  }

  /**
   * The text of a request version's API Gateway model (its `schema` property): generated here once, so the
   * deployed model, the local API's and the function's own check read the same bytes.
   */
  requestModelDocument(request: RequestVersion): string {
    return JSON.stringify(request.schema);
  }

  /** The versions of one event, oldest first (empty for an unknown name). */
  versionsOf(name: string): readonly EventVersion[] {
    return this.byName.get(name) ?? [];
  }

  find(name: string, version: number): EventVersion | undefined {
    return this.versionsOf(name).find((entry) => entry.version === version);
  }

  /**
   * The versions a producer publishes at `now`: every version whose ttl has not passed.
   * While an old version's ttl is in the future both it and its successor are live (double publishing).
   */
  liveVersions(name: string, now: Date): EventVersion[] {
    return this.versionsOf(name).filter((entry) => entry.ttl === null || Date.parse(entry.ttl) > now.getTime());
  }

  /**
   * The part of `detail.metadata` a version fixes: its number, where its schema is, and its retirement (`ttl`, and
   * the version and schema of its successor). Publishers and the saga both stamp it. `locate` says where a schema
   * is: its download URL where one is published (see `schemaLocator`), else its registry name.
   */
  versionMetadata(
    entry: EventVersion,
    locate: SchemaLocator = (located) => located.schemaRef,
  ): {
    readonly version: number;
    readonly schema: string;
    readonly ttl: string | null;
    readonly nextVersion: { readonly version: number; readonly schema: string } | null;
  } {
    const next = entry.nextVersion === null ? undefined : this.find(entry.name, entry.nextVersion);
    return { version: entry.version, schema: locate(entry), ttl: entry.ttl, nextVersion: next ? { version: next.version, schema: locate(next) } : null };
  }

  /** The compiled check for the whole event (envelope, metadata and data) of one version. */
  checkFor(entry: EventVersion): SchemaCheck {
    let check = this.checks.get(entry.schemaRef);
    if (!check) {
      check = compileSchema(this.eventSchema(entry));
      this.checks.set(entry.schemaRef, check);
    }
    return check;
  }

  /**
   * The self-contained draft-04 schema of a whole event of one version: the envelope with its source,
   * detail-type and version pinned and the catalog's data schema inlined. This is what the schema
   * registry holds and what producers and consumers validate against.
   */
  eventSchema(entry: EventVersion): JsonSchema {
    const definitions = this.envelopeSchema.definitions as { metadata: { properties: Record<string, unknown> } };
    const metadata = structuredClone(definitions.metadata);
    metadata.properties.version = { type: 'integer', enum: [entry.version] };
    return {
      $schema: DRAFT_04,
      title: `${entry.name} v${entry.version}`,
      description: entry.description,
      type: 'object',
      required: ['source', 'detail-type', 'detail'],
      properties: {
        source: { type: 'string', enum: [entry.source] },
        'detail-type': { type: 'string', enum: [entry.name] },
        detail: {
          type: 'object',
          required: ['metadata', 'data'],
          additionalProperties: false,
          properties: { metadata, data: entry.dataSchema },
        },
      },
    };
  }

  private lifecycleProblems(): ModelProblem[] {
    const problems: ModelProblem[] = [];
    for (const [name, versions] of this.byName) {
      const services = new Set(versions.map((v) => v.service));
      if (services.size > 1) {
        problems.push({ where: name, problem: `one event must have one producer, found in folders ${[...services].join(', ')}` });
      }
      versions.forEach((entry, index) => {
        if (entry.version !== index + 1) {
          problems.push({ where: entry.file, problem: `versions of ${name} must run 1, 2, 3… without gaps, expected v${index + 1}` });
        }
        const newest = index === versions.length - 1;
        if (newest && (entry.ttl !== null || entry.nextVersion !== null)) {
          problems.push({ where: entry.file, problem: `the newest version cannot have a ttl or a nextVersion` });
        }
        if (!newest && (entry.ttl === null || entry.nextVersion !== entry.version + 1)) {
          problems.push({
            where: entry.file,
            problem: `v${versions[versions.length - 1]?.version} exists, so v${entry.version} must declare "${LIFECYCLE_KEY}": { "ttl": "<ISO time>", "nextVersion": ${entry.version + 1} }`,
          });
        }
      });
    }
    return problems;
  }

  private compileAll(): ModelProblem[] {
    const problems: ModelProblem[] = [];
    try {
      compileSchema(this.envelopeSchema);
    } catch (error) {
      problems.push({ where: 'envelope.json', problem: `does not compile as draft-04: ${(error as Error).message}` });
    }
    for (const request of this.requests) {
      try {
        compileSchema(request.schema);
      } catch (error) {
        problems.push({ where: request.file, problem: `does not compile as draft-04: ${(error as Error).message}` });
      }
    }
    for (const entry of this.all()) {
      try {
        this.checks.set(entry.schemaRef, compileSchema(this.eventSchema(entry)));
      } catch (error) {
        problems.push({ where: entry.file, problem: `does not compile as draft-04: ${(error as Error).message}` });
      }
    }
    return problems;
  }
}

/** The schema registry name of one version, e.g. `eventflow.orders@OrderCreated.v1`. */
export function schemaRefOf(source: string, name: string, version: number): string {
  return `${source}@${name}.v${version}`;
}

function listDirectories(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .sort();
}

function readJson(path: string, where: string, problems: ModelProblem[]): JsonSchema | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      problems.push({ where, problem: 'must hold a JSON object' });
      return undefined;
    }
    return value as JsonSchema;
  } catch (error) {
    problems.push({ where, problem: `cannot be read as JSON: ${(error as Error).message}` });
    return undefined;
  }
}

function readEntry(dir: string, service: string, fileName: string, file: string, problems: ModelProblem[]): EventVersion | undefined {
  const match = FILE_NAME.exec(fileName);
  if (!match) {
    problems.push({ where: file, problem: 'a schema file must be named <EventName>.v<N>.json with a PascalCase event name' });
    return undefined;
  }
  const [, name = '', versionText = ''] = match;
  const raw = readJson(join(dir, service, fileName), file, problems);
  if (!raw) return undefined;
  const { [LIFECYCLE_KEY]: lifecycle, ...dataSchema } = raw;
  const before = problems.length;
  if (dataSchema.$schema !== DRAFT_04) problems.push({ where: file, problem: `"$schema" must be "${DRAFT_04}"` });
  if (dataSchema.type !== 'object') problems.push({ where: file, problem: '"type" must be "object": data is a JSON object' });
  if (typeof dataSchema.description !== 'string' || dataSchema.description.length === 0) {
    problems.push({ where: file, problem: '"description" must say what happened and why the event is full-state or sparse' });
  }
  const { ttl, nextVersion } = readLifecycle(lifecycle, file, problems);
  if (problems.length > before) return undefined;
  const source = `${SOURCE_PREFIX}${service}`;
  const version = Number(versionText);
  return {
    name,
    service,
    source,
    version,
    schemaRef: schemaRefOf(source, name, version),
    description: dataSchema.description as string,
    dataSchema,
    ttl,
    nextVersion,
    file,
  };
}

function readRequest(dir: string, service: string, fileName: string, file: string, problems: ModelProblem[]): RequestVersion | undefined {
  const match = FILE_NAME.exec(fileName);
  if (!match) {
    problems.push({ where: file, problem: 'a request schema file must be named <Action>.v<N>.json after the API action that accepts it' });
    return undefined;
  }
  const [, action = '', versionText = ''] = match;
  const schema = readJson(join(dir, file), file, problems);
  if (!schema) return undefined;
  const before = problems.length;
  if (schema.$schema !== DRAFT_04) problems.push({ where: file, problem: `"$schema" must be "${DRAFT_04}": API Gateway models are draft 4` });
  if (schema.type !== 'object') problems.push({ where: file, problem: '"type" must be "object": a request body is a JSON object' });
  if (typeof schema.description !== 'string' || schema.description.length === 0) problems.push({ where: file, problem: '"description" must say what the body asks for' });
  if (problems.length > before) return undefined;
  const version = Number(versionText);
  return { action, service, actionId: `${service}.${action}`, version, description: schema.description as string, schema, modelName: `${action}V${version}`, file };
}

/** An action's request versions run 1, 2, 3… as an event's do; the API serves the newest. */
function requestVersionProblems(requests: readonly RequestVersion[]): ModelProblem[] {
  const problems: ModelProblem[] = [];
  const byAction = new Map<string, RequestVersion[]>();
  for (const request of requests) byAction.set(request.actionId, [...(byAction.get(request.actionId) ?? []), request]);
  for (const versions of byAction.values()) {
    versions.sort((a, b) => a.version - b.version);
    versions.forEach((request, index) => {
      if (request.version !== index + 1) problems.push({ where: request.file, problem: `versions of the ${request.action} request must run 1, 2, 3… without gaps, expected v${index + 1}` });
    });
  }
  return problems;
}

function readLifecycle(value: unknown, file: string, problems: ModelProblem[]): { ttl: string | null; nextVersion: number | null } {
  if (value === undefined) return { ttl: null, nextVersion: null };
  const lifecycle = value as { ttl?: unknown; nextVersion?: unknown };
  const ttlOk = typeof lifecycle.ttl === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(lifecycle.ttl) && !Number.isNaN(Date.parse(lifecycle.ttl));
  const nextOk = Number.isInteger(lifecycle.nextVersion) && (lifecycle.nextVersion as number) > 1;
  if (!ttlOk) problems.push({ where: file, problem: `"${LIFECYCLE_KEY}.ttl" must be an ISO 8601 date-time, got ${JSON.stringify(lifecycle.ttl)}` });
  if (!nextOk) problems.push({ where: file, problem: `"${LIFECYCLE_KEY}.nextVersion" must be an integer above 1, got ${JSON.stringify(lifecycle.nextVersion)}` });
  return ttlOk && nextOk ? { ttl: lifecycle.ttl as string, nextVersion: lifecycle.nextVersion as number } : { ttl: null, nextVersion: null };
}
