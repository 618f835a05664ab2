import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/**
 * Where the local runtime answers with the metrics its functions wrote (`GET`, JSON {@link EmfSnapshot}). It sits on
 * the local Lambda endpoint: the metrics are the functions' own output, which Lambda ships to CloudWatch Logs, where
 * EMF becomes metrics. The HTTP API is the user's API and answers only the model's routes; the `/local/` prefix keeps
 * the path clear of Lambda's own (`/2015-03-31/…`).
 */
export const LOCAL_METRICS_PATH = '/local/metrics';

/** One metric series as CloudWatch extracts it from EMF: a metric of a namespace, with one set of dimension values. */
export interface EmfSeries {
  readonly namespace: string;
  readonly metric: string;
  readonly unit: string;
  /** The dimension values of the series, by dimension name; empty for a metric without dimensions. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** The values reported, added up (CloudWatch's Sum statistic). */
  readonly sum: number;
  /** How many values were reported (CloudWatch's SampleCount). */
  readonly count: number;
}

/** What the functions reported since the runtime started. */
export interface EmfSnapshot {
  /** EMF lines collected (one per flush of a function's metrics). */
  readonly lines: number;
  /** Every series, ordered by namespace, metric and dimensions. */
  readonly series: readonly EmfSeries[];
}

interface Sample {
  readonly namespace: string;
  readonly metric: string;
  readonly unit: string;
  readonly dimensions: Record<string, string>;
  readonly values: readonly number[];
}

/**
 * The samples one EMF line holds, or undefined when the line is not EMF (no `_aws.CloudWatchMetrics`). Each metric
 * is reported once per dimension set, as CloudWatch does; a set naming a dimension the line lacks yields nothing,
 * as CloudWatch then extracts nothing for it.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function parseEmfLine(line: string): Sample[] | undefined {
  // Cheap test first: most output is not EMF, and JSON.parse of every log line would cost.
  if (!line.includes('"_aws"')) return undefined;
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(record) || !isObject(record._aws) || !Array.isArray(record._aws.CloudWatchMetrics)) return undefined;
  const fields = record;
  const samples: Sample[] = [];
  for (const directive of record._aws.CloudWatchMetrics) {
    if (!isObject(directive) || typeof directive.Namespace !== 'string' || !Array.isArray(directive.Metrics)) continue;
    const sets = Array.isArray(directive.Dimensions) && directive.Dimensions.length > 0 ? directive.Dimensions : [[]];
    for (const definition of directive.Metrics) {
      if (!isObject(definition) || typeof definition.Name !== 'string') continue;
      const raw = fields[definition.Name];
      const values = (Array.isArray(raw) ? raw : [raw]).filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
      if (values.length === 0) continue;
      for (const set of sets) {
        const dimensions = dimensionValues(set, fields);
        if (dimensions) samples.push({ namespace: directive.Namespace, metric: definition.Name, unit: typeof definition.Unit === 'string' ? definition.Unit : 'None', dimensions, values });
      }
    }
  }
  return samples;
}

/**
 * The EMF lines of the local functions, added up per namespace, metric and dimension set, as CloudWatch would show
 * them: what `GET /local/metrics` answers and the demo prints.
 */
export class EmfCollector {
  private readonly totals = new Map<string, { series: Omit<EmfSeries, 'sum' | 'count'>; sum: number; count: number }>();
  private lines = 0;

  /** Takes one line a function wrote; true when it was EMF and is counted (so it need not reach the terminal). */
  collect(line: string): boolean {
    const samples = parseEmfLine(line);
    if (!samples) return false;
    this.lines++;
    for (const sample of samples) {
      const dimensions = Object.fromEntries(Object.entries(sample.dimensions).sort(([a], [b]) => a.localeCompare(b)));
      const key = JSON.stringify([sample.namespace, sample.metric, dimensions]);
      const total = this.totals.get(key) ?? { series: { namespace: sample.namespace, metric: sample.metric, unit: sample.unit, dimensions }, sum: 0, count: 0 };
      for (const value of sample.values) total.sum += value;
      total.count += sample.values.length;
      this.totals.set(key, total);
    }
    return true;
  }

  snapshot(): EmfSnapshot {
    const series = [...this.totals.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, total]) => ({ ...total.series, sum: total.sum, count: total.count }));
    return { lines: this.lines, series };
  }
}

/**
 * Diverts the EMF lines written to `stream` (the process's stdout, where functions on the main thread write them, as
 * Lambda's do) into `collector`; every other write passes unchanged. Lambda hands those lines to CloudWatch, not to
 * a terminal: in `npm start` one per publish would bury the function logs, which show at WARN and above. Returns the
 * function that stops diverting.
 */
export function divertEmf(stream: NodeJS.WriteStream, collector: EmfCollector): () => void {
  const original = stream.write;
  const ownWrite = Object.hasOwn(stream, 'write');
  let active = true;
  // write(chunk, callback) is write(chunk, undefined, callback): the default encoding.
  const passOn = (chunk: string | Uint8Array, encodingOrCallback?: BufferEncoding | WriteCallback, callback?: WriteCallback): boolean =>
    typeof encodingOrCallback === 'function' ? original.call(stream, chunk, undefined, encodingOrCallback) : original.call(stream, chunk, encodingOrCallback, callback);
  const write = (chunk: string | Uint8Array, encodingOrCallback?: BufferEncoding | WriteCallback, callback?: WriteCallback): boolean => {
    const text = active ? textOf(chunk, typeof encodingOrCallback === 'string' ? encodingOrCallback : undefined) : undefined;
    if (text === undefined) return passOn(chunk, encodingOrCallback, callback);
    // Powertools writes one EMF line per write; a piped stream may join several lines into one chunk.
    const lines = text.split('\n');
    const kept = lines.filter((line) => !collector.collect(line));
    if (kept.length === lines.length) return passOn(chunk, encodingOrCallback, callback);
    const rest = kept.join('\n');
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (rest !== '') return passOn(rest, done);
    if (done) process.nextTick(done);
    return true;
  };
  stream.write = write;
  return () => {
    active = false;
    // Put back only if nobody replaced it since; otherwise the wrapper stays, passing everything on.
    if (stream.write !== write) return;
    if (ownWrite) stream.write = original;
    else Reflect.deleteProperty(stream, 'write');
  };
}

/**
 * Reads a worker's output line by line: EMF lines go to `collector`, every other line to `out`. A worker started with
 * `stdout: true` hands its output to its parent as a stream rather than straight to the terminal.
 */
export function collectEmfLines(input: Readable, collector: EmfCollector, out: NodeJS.WritableStream = process.stdout): void {
  createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
    if (!collector.collect(line)) out.write(`${line}\n`);
  });
}

type WriteCallback = (error?: Error | null) => void;

/** A write's text when it may hold EMF; undefined for anything else, which then costs no decoding. */
function textOf(chunk: string | Uint8Array, encoding: BufferEncoding | undefined): string | undefined {
  if (typeof chunk === 'string') return chunk.includes('"_aws"') && (encoding === undefined || encoding === 'utf8' || encoding === 'utf-8') ? chunk : undefined;
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return bytes.includes('"_aws"') ? bytes.toString('utf8') : undefined;
}

function dimensionValues(set: unknown, fields: Record<string, unknown>): Record<string, string> | undefined {
  if (!Array.isArray(set)) return undefined;
  const dimensions: Record<string, string> = {};
  for (const name of set) {
    const value = typeof name === 'string' ? fields[name] : undefined;
    if (typeof name !== 'string' || typeof value !== 'string') return undefined;
    dimensions[name] = value;
  }
  return dimensions;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
