// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as schemas from '@pulumi/aws/schemas';
import * as pulumi from '@pulumi/pulumi';
import type { EventCatalog } from '../model/catalog';

export interface SchemaRegistryArgs {
  /** Registry name. */
  readonly registryName: string;
  /** The event catalog: one schema resource per event version. */
  readonly catalog: EventCatalog;
}

/**
 * An EventBridge schema registry holding every version of every catalog event as a JSONSchemaDraft4 schema
 * named `<source>@<Event>.v<N>`, the name events carry in `metadata.schema`. Old versions stay registered.
 */
export class SchemaRegistry extends pulumi.ComponentResource {
  readonly registryName: pulumi.Output<string>;
  readonly registryArn: pulumi.Output<string>;
  readonly schemaNames: pulumi.Output<string>[];

  constructor(name: string, args: SchemaRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super('eventflow:infra:SchemaRegistry', name, {}, opts);
    const registry = new schemas.Registry(`${name}-registry`, { name: args.registryName, description: 'eventflow event contracts, one schema per event version' }, { parent: this });
    this.registryName = registry.name;
    this.registryArn = registry.arn;
    this.schemaNames = args.catalog
      .all()
      .map(
        (entry) =>
          new schemas.Schema(
            `${name}-${entry.name}-v${entry.version}`,
            { name: entry.schemaRef, registryName: registry.name, type: 'JSONSchemaDraft4', description: entry.description.slice(0, 256), content: JSON.stringify(args.catalog.eventSchema(entry)) },
            { parent: this },
          ).name,
      );
    this.registerOutputs({ registryName: this.registryName, registryArn: this.registryArn });
  }
}
