// Submodule imports: loading only what the program uses keeps `pulumi preview` and the mocked tests fast.
import * as s3 from '@pulumi/aws/s3';
import * as pulumi from '@pulumi/pulumi';
import type { EventCatalog } from '../model/catalog';
import { SCHEMA_MEDIA_TYPE, s3BaseUrl, schemaDocument, schemaObjectKey } from '../model/schema-location';
import { ProblemList } from './errors';

export interface SchemaBucketArgs {
  /** The bucket's name: global across AWS, so the stage, account and region are in it (`ResourceNames.schemaBucketName`). */
  readonly bucketName: string;
  /** The region the bucket is made in (the provider's), part of the URL events carry. */
  readonly region: string;
  /** Every version of every event is uploaded. */
  readonly catalog: EventCatalog;
  /** Who may download: the accounts of an organization, or listed accounts. */
  readonly readers: { readonly organizationId: string } | { readonly accountIds: readonly string[] };
}

export function validateSchemaBucketArgs(name: string, args: Pick<SchemaBucketArgs, 'bucketName' | 'readers'>): void {
  const problems = new ProblemList(`SchemaBucket "${name}"`);
  // S3 general purpose bucket naming rules: 3–63 characters, lower-case letters, digits, '.' and '-', starting and
  // ending with a letter or digit. https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(args.bucketName)) problems.add('bucketName', `must be 3–63 lower-case letters, digits, '.' or '-', got ${JSON.stringify(args.bucketName)}`);
  if ('accountIds' in args.readers) {
    if (args.readers.accountIds.length === 0 || args.readers.accountIds.some((id) => !/^\d{12}$/.test(id)))
      problems.add('readers.accountIds', `must be one or more 12-digit account ids, got ${JSON.stringify(args.readers.accountIds)}`);
  } else if (!/^o-[a-z0-9]{10,32}$/.test(args.readers.organizationId))
    problems.add('readers.organizationId', `must be an AWS Organization id such as o-abcdefghij, got ${JSON.stringify(args.readers.organizationId)}`);
  problems.throwIfAny();
}

/**
 * Every event version's schema, published for download as the 2024 talk's envelope has it: one S3 object per
 * version in a versioned bucket, readable by the organization or the listed accounts and no one else, whose URL each
 * event carries in `metadata.schema`. An object holds the whole event's self-contained schema, the text producers and
 * consumers validate against.
 *
 * Why S3 rather than the schema registry the bus already has: a registry's resource policy can open DescribeSchema
 * to other accounts, but not ExportSchema, and a registry schema is addressed by a name, not a URL any HTTP client
 * or `aws s3 cp` can fetch; S3 gives each version a URL, object versioning keeps every upload, and a bucket policy
 * conditioned on `aws:PrincipalOrgID` opens it to the whole organization in one statement. The registry stays for
 * discovery and code bindings.
 *
 * Public access stays blocked: a policy that grants to an organization or to named accounts is not public, so
 * readers sign their requests (the consumer helper `fetchSchema` does). Objects are encrypted with S3-managed keys,
 * since another account cannot decrypt an object under this account's AWS-managed KMS key.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-schema-registry.html
 */
export class SchemaBucket extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  /** The URL every `metadata.schema` of this region starts with. */
  readonly baseUrl: string;
  readonly objectKeys: readonly string[];

  constructor(name: string, args: SchemaBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super('eventflow:infra:SchemaBucket', name, {}, opts);
    validateSchemaBucketArgs(name, args);
    const parent = { parent: this };
    const bucket = new s3.Bucket(`${name}-bucket`, { bucket: args.bucketName }, parent);
    new s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } }, parent);
    const block = new s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket: bucket.bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      parent,
    );
    const versioning = new s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.bucket, versioningConfiguration: { status: 'Enabled' } }, parent);
    new s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, { bucket: bucket.bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] }, parent);
    new s3.BucketPolicy(`${name}-policy`, { bucket: bucket.bucket, policy: bucket.arn.apply((arn) => JSON.stringify(readPolicy(arn, args.readers))) }, { ...parent, dependsOn: [block] });

    this.objectKeys = args.catalog.all().map((entry) => {
      const key = schemaObjectKey(entry);
      new s3.BucketObjectv2(
        `${name}-${entry.name}-v${entry.version}`,
        { bucket: bucket.bucket, key, content: schemaDocument(args.catalog, entry), contentType: SCHEMA_MEDIA_TYPE },
        // Uploaded after versioning is on, so every upload is kept as a version.
        { ...parent, dependsOn: [versioning] },
      );
      return key;
    });
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.baseUrl = s3BaseUrl(args.bucketName, args.region);
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, baseUrl: this.baseUrl });
  }
}

/** Readers may get any version of a schema; nothing else, and only over TLS. */
function readPolicy(bucketArn: string, readers: SchemaBucketArgs['readers']): object {
  const read = { Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: `${bucketArn}/events/*` };
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      'organizationId' in readers
        ? { Sid: 'OrganizationReads', ...read, Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': readers.organizationId } } }
        : { Sid: 'AccountsRead', ...read, Principal: { AWS: readers.accountIds.map((id) => `arn:aws:iam::${id}:root`) } },
    ],
  };
}
