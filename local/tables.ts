import { CreateTableCommand, ListTablesCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { TABLES, physicalTableName, type TableDefinition } from '../model/tables';
import { DEMO_DATA } from '../functions/seed';

/**
 * Creates the model's tables that do not exist yet, from the same definitions infra deploys, and returns the
 * ones it created. dynalite has no TimeToLive API: expiry is DynamoDB's job in AWS, and Powertools checks it on
 * read anyway.
 */
export async function createModelTables(client: DynamoDBClient, prefix: string): Promise<TableDefinition[]> {
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  const created: TableDefinition[] = [];
  for (const table of TABLES) {
    const name = physicalTableName(prefix, table);
    if (existing.has(name)) continue;
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: table.partitionKey.name, AttributeType: table.partitionKey.type }],
        KeySchema: [{ AttributeName: table.partitionKey.name, KeyType: 'HASH' }],
      }),
    );
    created.push(table);
  }
  return created;
}

/** Writes each service's demo data into its table (only into `tables`, when given: e.g. the ones just created). */
export async function seedDemoData(client: DynamoDBClient, prefix: string, tables?: readonly TableDefinition[]): Promise<void> {
  const documents = DynamoDBDocumentClient.from(client);
  for (const { table, items } of DEMO_DATA) {
    if (tables && !tables.includes(table)) continue;
    for (const item of items) await documents.send(new PutCommand({ TableName: physicalTableName(prefix, table), Item: item }));
  }
}
