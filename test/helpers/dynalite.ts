import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import { physicalTableName, type TableDefinition } from '../../model';
import { createModelTables } from '../../local/tables';

// dynalite (with the local runtime's TransactWriteItems) ships no types; this is the part of its API we use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { dynaliteWithTransactions: dynalite } = require('../../local/dynalite-transactions.cjs') as {
  dynaliteWithTransactions: (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => import('node:http').Server;
};

/** A real DynamoDB protocol server (dynalite) on loopback, in memory, with the model's tables created. */
export interface LocalDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** Physical name of a table definition in this instance. */
  tableName(table: TableDefinition): string;
  stop(): Promise<void>;
}

export async function startDynalite(prefix = 'test'): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const tableName = (table: TableDefinition) => physicalTableName(prefix, table);
  const stop = async () => {
    client.destroy();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  };
  try {
    await createModelTables(client, prefix);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, client, tableName, stop };
}
