// DynamoDB for the local runtime in a process of its own, so storage has a core to itself (plain JavaScript:
// it runs under node directly, without the TypeScript loader). Tells its parent the port over IPC, answers
// request counts on demand, and closes the database cleanly on SIGTERM/SIGINT or when the parent goes away.
const { dynaliteWithTransactions } = require('./dynalite-transactions.cjs');

const path = process.argv[2] || undefined;
const server = dynaliteWithTransactions({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
let requests = 0;
// Requests by operation, table and read consistency (`GetItem|orders|consistent`), for the capacity units an order
// costs (bench/region-capacity.ts): a TransactWriteItems counts once per item it writes, under that item's table and
// kind (`TransactWriteItems.Update|inventory|`). Read only: the body is copied as dynalite reads it, never altered.
const operations = {};
const note = (key) => {
  operations[key] = (operations[key] || 0) + 1;
};
server.on('request', (req) => {
  requests++;
  const operation = String(req.headers['x-amz-target'] || '').split('.')[1] || 'unknown';
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString() || '{}');
    } catch {
      return note(`${operation}||`);
    }
    if (operation !== 'TransactWriteItems' || !Array.isArray(body.TransactItems)) return note(`${operation}|${body.TableName || ''}|${body.ConsistentRead === true ? 'consistent' : ''}`);
    for (const item of body.TransactItems) {
      const kind = Object.keys(item || {})[0] || 'unknown';
      note(`${operation}.${kind}|${item[kind]?.TableName || ''}|`);
    }
  });
});
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
process.on('message', (message) => {
  if (message && message.type === 'count') process.send({ type: 'count', requests, operations });
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
