import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { compileSchema, type JsonSchema, type Violation } from '../../model/schema-validation';
import { loadCatalog } from '../../model';
import { ORDERS_TABLE } from '../../model/tables';
import { PublishFailedError, applied, powertoolsFor, publisherFor, sharedDynamo, tableName, traced, uuidFromText, type TraceScope } from '../shared';
import { header, jsonResponse, type Order } from './order';

const ordersTable = tableName(ORDERS_TABLE);
const publisher = publisherFor('orders.CreateOrder');
/**
 * The body's contract is the catalog's (catalog/orders/requests/), read from the same generated model text API
 * Gateway validates against: the gateway has refused a bad body before this runs, and this check stays so a
 * request that reaches the function another way (a test, a direct invoke, a misconfigured stage) meets it too.
 */
const requestSchema = JSON.parse(requestModelText('orders.CreateOrder')) as JsonSchema;
const checkRequest = compileSchema(requestSchema);

function requestModelText(actionId: string): string {
  const catalog = loadCatalog();
  const request = catalog.currentRequest(actionId);
  if (!request) throw new Error(`${actionId} has no request contract in the catalog`);
  return catalog.requestModelDocument(request);
}
const { logger, tracer } = powertoolsFor('orders');

/**
 * The body's media types this API reads. A client that posts a string without naming its type sends one of the
 * last two (fetch: text/plain, `curl -d`: form-urlencoded), so they are read as JSON too; a type that names
 * another format (XML, multipart, binary…) is refused rather than guessed at.
 */
const JSON_MEDIA_TYPE = /^(application\/json|application\/[\w.+-]+\+json|text\/plain|application\/x-www-form-urlencoded)$/;

/** Top-level members a bad body may have before only the first of them are named (each is one violation to build and send). */
const MAX_MEMBERS_CHECKED = 16;

/**
 * POST /orders: validates the body (400 lists every violation), stores the order once (a conditional put),
 * then announces OrderCreated. With an `Idempotency-Key` header a retried request finds its order again and
 * re-announces it under the same idempotency key, so an order stored but not announced is never stuck.
 *
 * Traced as `## orders.CreateOrder`, annotated with the order's id and correlation id once they are known, so the
 * trace that starts here can be found by either (consumers and saga tasks annotate theirs with the correlation id).
 */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return traced(tracer, 'orders.CreateOrder', {}, (scope) => createOrder(event, scope));
}

async function createOrder(event: APIGatewayProxyEvent, scope: TraceScope): Promise<APIGatewayProxyResult> {
  const mediaTypeProblem = checkMediaType(header(event, 'content-type'));
  if (mediaTypeProblem) return jsonResponse(415, { errors: [{ path: "headers['content-type']", message: mediaTypeProblem }] });
  const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return jsonResponse(400, { errors: [{ path: '$', message: 'body must be a JSON object' }] });
  }
  const violations = checkBody(body);
  if (violations.length > 0) return jsonResponse(400, { errors: violations });
  const request = body as { customerId: string; productId: string; quantity: number };

  const clientKey = header(event, 'idempotency-key');
  const orderId = clientKey ? uuidFromText(`order:${clientKey}`) : randomUUID();
  scope.annotate({ orderId });
  const now = new Date().toISOString();
  const fresh: Order = {
    orderId,
    ...request,
    status: 'PENDING',
    reason: null,
    correlationId: randomUUID(),
    createdAt: now,
    history: [{ status: 'PENDING', at: now, event: 'OrderCreated' }],
  };
  const { documents } = sharedDynamo();
  const created = await applied(documents.send(new PutCommand({ TableName: ordersTable, Item: fresh, ConditionExpression: 'attribute_not_exists(orderId)' })));
  let order = fresh;
  if (!created) {
    order = (await documents.send(new GetCommand({ TableName: ordersTable, Key: { orderId } }))).Item as Order;
    if (order.customerId !== request.customerId || order.productId !== request.productId || order.quantity !== request.quantity) {
      return jsonResponse(409, { errors: [{ path: '$', message: 'Idempotency-Key was already used for a different order' }] });
    }
  }
  // A retried request continues the stored order's correlation, not the one made for this attempt.
  scope.annotate({ correlationId: order.correlationId });

  try {
    await publisher.publish({
      detailType: 'OrderCreated',
      correlationId: order.correlationId,
      idempotencyKey: uuidFromText(`OrderCreated:${order.orderId}`),
      data: { orderId: order.orderId, customerId: order.customerId, productId: order.productId, quantity: order.quantity, status: 'PENDING', createdAt: order.createdAt },
    });
  } catch (error) {
    if (!(error instanceof PublishFailedError)) throw error;
    logger.error('order stored but not announced', { orderId, error });
    scope.recordError(error);
    return jsonResponse(503, { orderId, errors: [{ path: '$', message: 'the order was stored but not announced; retry with the same Idempotency-Key' }] });
  }
  return jsonResponse(201, { orderId: order.orderId, status: order.status });
}

/** Why the Content-Type cannot be read as JSON, or undefined when it can (or is absent). */
function checkMediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined || contentType.trim() === '') return undefined;
  const [type = '', ...parameters] = contentType.split(';').map((part) => part.trim());
  if (!JSON_MEDIA_TYPE.test(type.toLowerCase())) return `must be application/json, got ${JSON.stringify(type.slice(0, 100))}`;
  const charset = parameters.map((p) => /^charset\s*=\s*"?([^"]*)"?$/i.exec(p)?.[1]).find((value) => value !== undefined);
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) return `charset must be utf-8, got ${JSON.stringify(charset.slice(0, 100))}`;
  return undefined;
}

/**
 * Every violation of the request schema. A body with thousands of members would cost as many violations (a
 * 10 MB body holds a million), so past {@link MAX_MEMBERS_CHECKED} the unknown ones are counted, not each named.
 */
function checkBody(body: unknown): Violation[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return checkRequest(body);
  const names = Object.keys(body);
  if (names.length <= MAX_MEMBERS_CHECKED) return checkRequest(body);
  const known = new Set(Object.keys((requestSchema.properties ?? {}) as Record<string, unknown>));
  const kept = [...names.filter((name) => known.has(name)), ...names.filter((name) => !known.has(name)).slice(0, MAX_MEMBERS_CHECKED - known.size)];
  const sample = Object.fromEntries(kept.map((name) => [name, (body as Record<string, unknown>)[name]]));
  return [...checkRequest(sample), { path: '$', message: `must have at most ${known.size} members (${[...known].join(', ')}), got ${names.length}` }];
}
