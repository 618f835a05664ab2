// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as dynamodb from '@pulumi/aws/dynamodb';
import * as pulumi from '@pulumi/pulumi';
import { physicalTableName, type TableDefinition } from '../model/tables';

/**
 * The model's DynamoDB tables: on-demand, encrypted, point-in-time recovery on, TTL where the model names one;
 * global tables replicated to `replicaRegions` when the stage has a global endpoint.
 */
export class DataTables extends pulumi.ComponentResource {
  readonly tables: ReadonlyMap<TableDefinition, dynamodb.Table>;

  constructor(name: string, args: { readonly prefix: string; readonly definitions: readonly TableDefinition[]; readonly replicaRegions?: readonly string[] }, opts?: pulumi.ComponentResourceOptions) {
    super('eventflow:infra:DataTables', name, {}, opts);
    this.tables = new Map(
      args.definitions.map((definition) => [
        definition,
        new dynamodb.Table(
          `${name}-${definition.logicalName}`,
          {
            name: physicalTableName(args.prefix, definition),
            billingMode: 'PAY_PER_REQUEST',
            hashKey: definition.partitionKey.name,
            attributes: [{ name: definition.partitionKey.name, type: definition.partitionKey.type }],
            pointInTimeRecovery: { enabled: true },
            serverSideEncryption: { enabled: true },
            ...(definition.ttlAttribute ? { ttl: { attributeName: definition.ttlAttribute, enabled: true } } : {}),
            // Global tables replicate through streams.
            ...(args.replicaRegions?.length
              ? { streamEnabled: true, streamViewType: 'NEW_AND_OLD_IMAGES', replicas: args.replicaRegions.map((regionName) => ({ regionName, pointInTimeRecovery: true })) }
              : {}),
          },
          { parent: this },
        ),
      ]),
    );
    this.registerOutputs({});
  }
}
