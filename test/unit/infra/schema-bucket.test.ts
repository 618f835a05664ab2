import { validateSchemaBucketArgs } from '../../../infra/schema-bucket';
import type { SynthResult } from '../../../infra/synth/synthesize';
import { loadOrderSystem, schemaDocument, schemaObjectKey } from '../../../model';
import { synthesizeShared } from '../../helpers/synth-cache';

type Resource = SynthResult['resources'][number];

/**
 * Every event version's schema published in each region of the two-region prod stage, readable by the organization
 * only, and every URL a deployed event carries (from a function or from the saga) pointing into it.
 * S3 bucket policies: https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html
 * (aws:PrincipalOrgID: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid)
 */
describe('schema buckets (Pulumi.prod.yaml under mocks)', () => {
  let result: SynthResult;
  const app = loadOrderSystem();
  const of = (type: string, where: (r: Resource) => boolean = () => true) => result.resources.filter((r) => r.type === type && where(r));

  beforeAll(async () => {
    result = await synthesizeShared('prod', {}, { stackTraces: false });
  }, 60_000);

  it('makes one versioned, private, S3-encrypted bucket per region, named for the stage, account and region', () => {
    const buckets = of('aws:s3/bucket:Bucket').map((r) => r.inputs.bucket);
    expect(buckets.sort()).toEqual(['eventflow-prod-schemas-333333333333-eu-central-1', 'eventflow-prod-schemas-333333333333-eu-west-1']);
    for (const bucket of buckets) {
      const config = (type: string) => of(type, (r) => r.inputs.bucket === bucket).map((r) => r.inputs);
      expect(config('aws:s3/bucketVersioning:BucketVersioning')).toEqual([expect.objectContaining({ versioningConfiguration: { status: 'Enabled' } })]);
      expect(config('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock')).toEqual([
        expect.objectContaining({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }),
      ]);
      expect(config('aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration')).toEqual([
        expect.objectContaining({ rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] }),
      ]);
      expect(config('aws:s3/bucketOwnershipControls:BucketOwnershipControls')).toEqual([expect.objectContaining({ rule: { objectOwnership: 'BucketOwnerEnforced' } })]);
    }
  });

  it('uploads every version of every event, byte for byte the schema that validates it', () => {
    for (const bucket of of('aws:s3/bucket:Bucket').map((r) => r.inputs.bucket)) {
      const objects = of('aws:s3/bucketObjectv2:BucketObjectv2', (r) => r.inputs.bucket === bucket);
      expect(objects.map((o) => o.inputs.key).sort()).toEqual(app.catalog.all().map(schemaObjectKey).sort());
      for (const entry of app.catalog.all()) {
        const object = objects.find((o) => o.inputs.key === schemaObjectKey(entry));
        expect(object?.inputs).toMatchObject({ content: schemaDocument(app.catalog, entry), contentType: 'application/schema+json' });
      }
    }
  });

  it('lets the organization get any version of a schema, over TLS only, and nothing more', () => {
    for (const policy of of('aws:s3/bucketPolicy:BucketPolicy')) {
      const document = JSON.parse(String(policy.inputs.policy)) as { Statement: Array<Record<string, unknown>> };
      const bucketArn = `arn:aws:s3:::${String(policy.inputs.bucket)}`;
      expect(document.Statement).toEqual([
        { Sid: 'DenyInsecureTransport', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        {
          Sid: 'OrganizationReads',
          Effect: 'Allow',
          Principal: '*',
          Action: ['s3:GetObject', 's3:GetObjectVersion'],
          Resource: `${bucketArn}/events/*`,
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
        },
      ]);
    }
  });

  it('points every publishing function and the saga at its own region’s bucket', () => {
    const functions = of('aws:lambda/function:Function');
    const publishing = functions.filter((fn) => {
      const action = app.actions.find((candidate) => String(fn.inputs.name).endsWith(candidate.id.replace('.', '-')));
      return (action?.emits.length ?? 0) > 0;
    });
    expect(publishing.length).toBeGreaterThan(10);
    for (const fn of publishing) {
      const region = String(fn.name).startsWith('secondary') ? 'eu-central-1' : 'eu-west-1';
      const variables = (fn.inputs.environment as { variables: Record<string, string> }).variables;
      expect({ fn: fn.name, url: variables.EVENT_SCHEMA_BASE_URL }).toEqual({ fn: fn.name, url: `https://eventflow-prod-schemas-333333333333-${region}.s3.${region}.amazonaws.com/` });
    }
    for (const machine of of('aws:sfn/stateMachine:StateMachine')) {
      const region = String(machine.name).startsWith('secondary') ? 'eu-central-1' : 'eu-west-1';
      const schemas = [...String(machine.inputs.definition).matchAll(/"schema":"([^"]+)"/g)].map((match) => match[1]);
      expect(schemas.length).toBeGreaterThan(0);
      for (const url of schemas)
        expect(url).toMatch(new RegExp(`^https://eventflow-prod-schemas-333333333333-${region}\\.s3\\.${region}\\.amazonaws\\.com/events/eventflow\\.[a-z-]+/[A-Za-z]+\\.v\\d+\\.json$`));
    }
  });

  it('refuses a bucket name S3 would refuse and readers that name no one', () => {
    const problems = (() => {
      try {
        validateSchemaBucketArgs('s', { bucketName: 'Eventflow_Schemas', readers: { accountIds: [] } });
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(problems).toContain(`SchemaBucket "s": 'bucketName' must be 3–63 lower-case letters, digits, '.' or '-', got "Eventflow_Schemas"`);
    expect(problems).toContain(`SchemaBucket "s": 'readers.accountIds' must be one or more 12-digit account ids, got []`);
  });
});
