// TransactWriteItems for dynalite, which has none (architect/dynalite#151): the inventory moves a reservation and its
// product's counters in one transaction, so the local runtime and the tests need one that is all-or-nothing like
// DynamoDB's. Plain JavaScript, loaded by local/dynalite-server.cjs under node directly and by the tests' dynalite.
//
// How: every item the transaction names is locked with dynalite's own per-item locks (in one global order, so two
// transactions cannot deadlock, and single-item writes wait for them), every condition is checked against the
// items as they are, and only if all hold are the new items written, in one LevelDB batch (a crash writes all or
// none). New items are computed by dynalite's own PutItem/UpdateItem code against a store that captures the write.
// Differences from DynamoDB: conflicting transactions queue instead of being cancelled with TransactionConflict,
// ClientRequestToken is accepted and ignored, tables with secondary indexes are refused, no capacity is reported.
const crypto = require('node:crypto');
const dynalite = require('dynalite');
const db = require('dynalite/db');
const validations = require('dynalite/validations');
const { crc32 } = require('node:zlib');

const TARGET = 'DynamoDB_20120810.TransactWriteItems';
const OPERATIONS = { Put: 'putItem', Update: 'updateItem', Delete: 'deleteItem', ConditionCheck: 'deleteItem' };
const MAX_ITEMS = 100;

/** A dynalite server (same options) that also serves TransactWriteItems. */
function dynaliteWithTransactions(options) {
  let store;
  const create = db.create;
  db.create = (createOptions) => (store = create(createOptions));
  let server;
  try {
    server = dynalite(options);
  } finally {
    db.create = create;
  }
  const [serveOthers] = server.listeners('request');
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    if (req.headers['x-amz-target'] !== TARGET) return serveOthers(req, res);
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      let request;
      try {
        request = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      } catch {
        return send(res, 400, { __type: 'com.amazon.coral.service#SerializationException' });
      }
      transactWriteItems(store, request).then(
        (body) => send(res, 200, body),
        (error) => (error.statusCode ? send(res, error.statusCode, error.body) : send(res, 500, { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: String(error) })),
      );
    });
  });
  return server;
}

async function transactWriteItems(store, request) {
  const items = request.TransactItems;
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ITEMS) {
    throw validationError(`1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length between 1 and ${MAX_ITEMS}`);
  }
  const writes = [];
  for (const entry of items) writes.push(await prepare(store, entry));
  const seen = new Set();
  for (const write of writes) {
    if (seen.has(write.lockKey)) throw validationError('Transaction request cannot include multiple operations on one item');
    seen.add(write.lockKey);
  }
  const ordered = [...writes].sort((a, b) => (a.lockKey < b.lockKey ? -1 : a.lockKey > b.lockKey ? 1 : 0));
  const releases = [];
  try {
    for (const write of ordered) releases.push(await new Promise((resolve) => write.itemDb.lock(write.key, (release) => resolve(release))));
    for (const write of writes) write.existing = await read(write.itemDb, write.key);
    const reasons = writes.map((write) => {
      if (db.checkConditional(write.data, write.existing) == null) return { Code: 'None' };
      const reason = { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' };
      if (write.returnOld && write.existing) reason.Item = write.existing;
      return reason;
    });
    if (reasons.some((reason) => reason.Code !== 'None')) {
      const codes = reasons.map((reason) => reason.Code).join(', ');
      throw {
        statusCode: 400,
        body: {
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
          message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes}]`,
          CancellationReasons: reasons,
        },
      };
    }
    const batch = [];
    for (const write of writes) {
      if (write.kind === 'ConditionCheck') continue;
      const item = write.kind === 'Delete' ? undefined : await computeItem(store, write);
      const key = `item-${write.data.TableName}~${write.key}`;
      batch.push(item === undefined ? { type: 'del', key } : { type: 'put', key, value: item });
    }
    await new Promise((resolve, reject) => store.db.batch(batch, (error) => (error ? reject(error) : resolve())));
    return {};
  } finally {
    for (const release of releases) release()();
  }
}

/** Validates one entry with dynalite's own rules for the single-item operation it stands for. */
async function prepare(store, entry) {
  const kinds = Object.keys(entry || {}).filter((kind) => entry[kind] != null);
  if (kinds.length !== 1 || !OPERATIONS[kinds[0]]) throw validationError('TransactItems can only contain one of Check, Put, Update or Delete');
  const kind = kinds[0];
  const { ReturnValuesOnConditionCheckFailure, ...raw } = entry[kind];
  if (kind === 'ConditionCheck' && !raw.ConditionExpression) throw validationError('The ConditionCheck operation requires a ConditionExpression');
  const action = OPERATIONS[kind];
  const rules = require(`dynalite/validations/${action}`);
  const data = validations.checkTypes(raw, rules.types);
  validations.checkValidations(data, rules.types, rules.custom, store);
  const table = await new Promise((resolve, reject) => store.getTable(data.TableName, (error, found) => (error ? reject(error) : resolve(found))));
  if ((table.LocalSecondaryIndexes || []).length > 0 || (table.GlobalSecondaryIndexes || []).length > 0) {
    throw validationError(`local TransactWriteItems does not maintain secondary indexes (table ${data.TableName})`);
  }
  const keySource = kind === 'Put' ? data.Item : data.Key;
  const invalid = kind === 'Put' ? db.validateItem(data.Item, table) : db.validateKey(data.Key, table);
  if (invalid) throw invalid;
  const key = db.createKey(keySource, table);
  return { kind, action, data, table, key, itemDb: store.getItemDb(data.TableName), lockKey: `${data.TableName}\u0000${key}`, returnOld: ReturnValuesOnConditionCheckFailure === 'ALL_OLD' };
}

/** The item a Put or Update leaves, computed by dynalite's own code on a store that keeps the write. */
function computeItem(store, write) {
  const { _condition, ConditionExpression, Expected, ...data } = write.data;
  let written;
  const capture = {
    ...store,
    getItemDb: () => ({
      lock: (key, run) => run((callback) => callback),
      get: (key, callback) => (write.existing ? callback(null, write.existing) : callback(Object.assign(new Error('NotFoundError'), { name: 'NotFoundError' }))),
      put: (key, item, callback) => {
        written = item;
        callback(null);
      },
    }),
  };
  return new Promise((resolve, reject) => require(`dynalite/actions/${write.action}`)(capture, data, (error) => (error ? reject(error) : resolve(written))));
}

function read(itemDb, key) {
  return new Promise((resolve, reject) =>
    itemDb.get(key, (error, item) => {
      if (error && error.name !== 'NotFoundError' && error.code !== 'LEVEL_NOT_FOUND') return reject(error);
      resolve(error ? undefined : item);
    }),
  );
}

function validationError(message) {
  return { statusCode: 400, body: { __type: 'com.amazon.coral.validate#ValidationException', message } };
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('x-amzn-RequestId', crypto.randomBytes(26).toString('hex').toUpperCase().slice(0, 52));
  res.setHeader('x-amz-crc32', crc32(text));
  res.setHeader('Content-Type', 'application/x-amz-json-1.0');
  res.setHeader('Content-Length', Buffer.byteLength(text, 'utf8'));
  res.end(text);
}

module.exports = { dynaliteWithTransactions };
