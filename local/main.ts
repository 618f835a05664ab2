/**
 * `npm start`: the order system on this machine. Options: --port N (or PORT), --data-dir DIR, --in-memory,
 * --fail-delivery, --workers N (threads the functions run in; 0 = the main thread), --demo N (place N orders
 * with a realistic mix, print a summary, stop), --regions 2 (the secondary region behind a local global endpoint;
 * with --demo it fails over and back halfway). Prints one line per
 * endpoint (also written to <data dir>/endpoints.json); Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';
import { EventflowError } from '../model';
import { runDemo } from './demo';
import { startLocal } from './start-local';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'data-dir': { type: 'string', default: '.data' },
      'in-memory': { type: 'boolean', default: false },
      'fail-delivery': { type: 'boolean', default: false },
      workers: { type: 'string' },
      demo: { type: 'string' },
      regions: { type: 'string', default: '1' },
    },
  });
  const port = values.port ?? process.env.PORT ?? '3000';
  if (!/^\d+$/.test(port) || Number(port) > 65_535) throw new EventflowError(`--port (or PORT) must be a port number from 0 to 65535, got ${JSON.stringify(port)}`);
  if (values.workers !== undefined && !/^\d+$/.test(values.workers))
    throw new EventflowError(`--workers takes a number of threads (0 runs the functions on the main thread), got ${JSON.stringify(values.workers)}`);
  if (values.regions !== '1' && values.regions !== '2') throw new EventflowError(`--regions takes 1 or 2, got ${JSON.stringify(values.regions)}`);
  const system = await startLocal({
    regions: values.regions === '2' ? 2 : 1,
    port: Number(port),
    dataDir: values['data-dir'],
    inMemory: values['in-memory'],
    failDelivery: values['fail-delivery'],
    ...(values.workers !== undefined ? { workers: Number(values.workers) } : {}),
  });
  const out = process.stdout;
  out.write(`eventflow is running locally (data in ${values['in-memory'] ? 'memory' : values['data-dir']}):\n`);
  out.write(`  REST API           ${system.endpoints.api}   POST /orders, GET /orders/{orderId}\n`);
  out.write(`  EventBridge        ${system.endpoints.eventBridge}\n`);
  out.write(`  Step Functions     ${system.endpoints.stepFunctions}\n`);
  out.write(`  DynamoDB           ${system.endpoints.dynamodb}\n`);
  out.write(`  E-mail (SES) sink  ${system.endpoints.email}\n`);
  out.write(`  Delivery provider  ${system.endpoints.deliveryProvider}${values['fail-delivery'] ? '   (failing on purpose)' : ''}\n`);
  out.write(`  Payment provider   ${system.endpoints.paymentProvider}\n`);
  out.write(`  Lambda             ${system.endpoints.lambda}\n`);
  out.write(`  SQS                ${system.endpoints.sqs}   queues: npm run redrive\n`);
  out.write(`  Schemas (S3)       ${system.endpoints.schemas}   every event's metadata.schema\n`);
  out.write(`  Metrics (EMF)      ${system.endpoints.metrics}\n`);
  if (system.globalEndpoint) {
    out.write(`  Global endpoint    ${system.globalEndpoint.id}   regions ${system.regions.map((region) => region.region).join(', ')} (EndpointId on PutEvents)\n`);
  }
  out.write(`  Functions          ${system.workers === 0 ? 'on the main thread' : `in ${system.workers} worker thread(s)`}\n`);
  if (values.demo !== undefined) {
    if (!/^[1-9]\d*$/.test(values.demo)) throw new EventflowError(`--demo takes a number of orders, got ${JSON.stringify(values.demo)}`);
    out.write(`\nDemo: placing ${values.demo} orders\n`);
    await runDemo(system, Number(values.demo));
    await system.stop();
    return;
  }
  out.write(`Try: curl -s -XPOST ${system.apiUrl}/orders -d '{"customerId":"customer-1","productId":"product-1","quantity":1}'\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    out.write('stopping…\n');
    system.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof EventflowError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
