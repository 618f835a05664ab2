// DynamoDB for the local runtime in a process of its own, so storage has a core to itself (plain JavaScript:
// it runs under node directly, without the TypeScript loader). Tells its parent the port over IPC, answers
// request counts on demand, and closes the database cleanly on SIGTERM/SIGINT or when the parent goes away.
const { dynaliteWithTransactions } = require('./dynalite-transactions.cjs');

const path = process.argv[2] || undefined;
const server = dynaliteWithTransactions({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
let requests = 0;
server.on('request', () => requests++);
server.listen(0, '127.0.0.1', () => process.send({ type: 'ready', port: server.address().port }));
process.on('message', (message) => {
  if (message && message.type === 'count') process.send({ type: 'count', requests });
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.on('disconnect', stop);
