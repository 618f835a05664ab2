import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayRequestValidator, renderGatewayResponse, validationErrorString } from '../../local/gateway-validator';
import { startLocal, type LocalSystem } from '../../local/start-local';
import { loadOrderSystem, type JsonSchema } from '../../model';
import { REQUEST_MODEL_CONTENT_TYPE } from '../../model/api';
import type { SynthResult } from '../../infra/synth/synthesize';
import { synthesizeShared } from '../helpers/synth-cache';

type Resource = SynthResult['resources'][number];

/**
 * The same malformed bodies, refused the same way by the local API and by the REST API the dev stack deploys: the
 * stack's model, validator and BAD_REQUEST_BODY gateway response are read from the synthesized resources, and run
 * as API Gateway runs them; the local API answers over HTTP. The model text in the stack is the catalog's, byte
 * for byte.
 */
describe('the local API and the deployed REST API refuse bad bodies alike', () => {
  let system: LocalSystem;
  let dataDir: string;
  let stack: SynthResult;
  const app = loadOrderSystem();
  const request = app.catalog.currentRequest('orders.CreateOrder');

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'eventflow-parity-'));
    [stack, system] = await Promise.all([synthesizeShared('dev', {}, { stackTraces: false }), startLocal({ port: 0, dataDir, retryBaseMs: 1, workers: 0, inMemory: true })]);
  }, 60_000);
  afterAll(async () => {
    await system?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const primary = (type: string): Resource[] => stack.resources.filter((r) => r.type === type && r.name.startsWith('primary-api-'));
  const only = (type: string, where: (r: Resource) => boolean = () => true): Resource => {
    const found = primary(type).filter(where);
    expect({ type, count: found.length }).toEqual({ type, count: 1 });
    return found[0] as Resource;
  };

  /** The stack's POST /orders as API Gateway runs it: its method's validator and model, and the gateway response. */
  function deployedGateway(): (body: unknown) => { status: number; body: unknown } | undefined {
    const method = only('aws:apigateway/method:Method', (r) => r.inputs.httpMethod === 'POST');
    const validator = only('aws:apigateway/requestValidator:RequestValidator');
    expect(method.inputs.requestValidatorId).toBe(validator.id);
    expect(validator.inputs.validateRequestBody).toBe(true);
    const modelName = (method.inputs.requestModels as Record<string, string>)[REQUEST_MODEL_CONTENT_TYPE];
    const model = only('aws:apigateway/model:Model', (r) => r.inputs.name === modelName);
    const response = only('aws:apigateway/response:Response', (r) => r.inputs.responseType === 'BAD_REQUEST_BODY');
    const template = (response.inputs.responseTemplates as Record<string, string>)['application/json'] as string;
    const check = new GatewayRequestValidator(JSON.parse(String(model.inputs.schema)) as JsonSchema);
    return (body) => {
      const messages = check.messages(body);
      if (messages.length === 0) return undefined;
      return {
        status: Number(response.inputs.statusCode),
        body: JSON.parse(renderGatewayResponse(template, { message: 'Invalid request body', validationErrorString: validationErrorString(messages) })),
      };
    };
  }

  it('deploys the catalog’s request contract as the model, byte for byte', () => {
    if (!request) throw new Error('orders.CreateOrder has no request contract');
    const model = only('aws:apigateway/model:Model');
    expect(model.inputs).toMatchObject({ name: request.modelName, contentType: 'application/json' });
    expect(model.inputs.schema).toBe(app.catalog.requestModelDocument(request));
  });

  const BAD_BODIES: ReadonlyArray<readonly [string, unknown]> = [
    ['empty object', {}],
    ['missing quantity', { customerId: 'c-1', productId: 'p-1' }],
    ['an extra member', { customerId: 'c-1', productId: 'p-1', quantity: 1, colour: 'red' }],
    ['extra and missing', { customerId: 'c-1', colour: 'red', size: 'L' }],
    ['quantity as a string', { customerId: 'c-1', productId: 'p-1', quantity: '2' }],
    ['quantity as a fraction', { customerId: 'c-1', productId: 'p-1', quantity: 1.5 }],
    ['quantity zero', { customerId: 'c-1', productId: 'p-1', quantity: 0 }],
    ['quantity too many', { customerId: 'c-1', productId: 'p-1', quantity: 1001 }],
    ['empty ids', { customerId: '', productId: '', quantity: 1 }],
    ['ids with spaces and quotes', { customerId: 'a b', productId: 'say "hi"', quantity: 1 }],
    ['an id too long', { customerId: 'x'.repeat(65), productId: 'p-1', quantity: 1 }],
    ['every member wrong', { customerId: 7, productId: null, quantity: [1] }],
    ['an array', [1, 2]],
    ['a string', 'order'],
    ['null', null],
  ];

  it.each(BAD_BODIES)('refuses %s with the same status and body', async (_, body) => {
    const deployed = deployedGateway()(body);
    const local = await fetch(`${system.apiUrl}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    expect(deployed).toBeDefined();
    expect({ status: local.status, body: await local.json() }).toEqual(deployed);
  });

  it('lets a valid body through both, to the function', async () => {
    const body = { customerId: 'customer-1', productId: 'product-1', quantity: 1 };
    const local = await fetch(`${system.apiUrl}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    expect(deployedGateway()(body)).toBeUndefined();
    expect(local.status).toBe(201);
  });
});
