/**
 * What AWS returns for each resource type the program declares: the physical id and the output-only properties
 * (ARNs, URLs, generated ids) in the format AWS documents for the type, in the region and account of the resource.
 * The Pulumi mocks answer with these, so code that builds, parses or matches an ARN meets under mocks the shape it
 * meets on AWS. Each format keeps the AWS page it was checked against.
 *
 * Ids AWS generates (API ids, key ids, connection suffixes) are derived from a hash of the resource's URN, so the
 * same program always gets the same ids and synth output is stable. The partition is always `aws`.
 */
import { createHash } from 'node:crypto';
import { InfraDefinitionError } from '../errors';

/** Where a resource lives: AWS writes its region and account into the ARNs and URLs it returns. */
export interface Placement {
  readonly region: string;
  readonly accountId: string;
}

/** What the mocks know of a resource when the program registers it. */
export interface ResourceFacts extends Placement {
  /** The Pulumi type token, such as `aws:sqs/queue:Queue`. */
  readonly type: string;
  /** The Pulumi resource name, from which Pulumi derives a physical name the program does not set. */
  readonly name: string;
  /** The resource's URN: the seed of every generated id. */
  readonly urn: string;
  /** The inputs, secrets unwrapped. */
  readonly inputs: Readonly<Record<string, unknown>>;
}

/** The physical id and the output-only properties AWS returns for one resource. */
export interface AwsResourceState {
  readonly id: string;
  readonly outputs: Readonly<Record<string, unknown>>;
}

interface AwsFormat {
  /** The AWS pages documenting what `state` returns. */
  readonly sources: readonly string[];
  readonly state: (resource: Facts) => AwsResourceState;
}

// The Service Authorization Reference lists each service's ARN formats under "Resource types defined by …".
const SAR = (service: string) => `https://docs.aws.amazon.com/service-authorization/latest/reference/list_${service}.html`;
const EVENTBRIDGE_API = (shape: string) => `https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_${shape}.html`;
// Where AWS leaves an id's format open, the provider's import id (its resource id) is what Pulumi reports.
const PULUMI = (module: string, resource: string) => `https://www.pulumi.com/registry/packages/aws/api-docs/${module}/${resource}/#import`;

/** A resource's facts with the helpers every format uses. */
class Facts {
  constructor(private readonly facts: ResourceFacts) {}

  get region(): string {
    return this.facts.region;
  }

  get accountId(): string {
    return this.facts.accountId;
  }

  /** A string input, or undefined when absent or not a string. */
  input(key: string): string | undefined {
    const value = this.facts.inputs[key];
    return typeof value === 'string' ? value : undefined;
  }

  /** A string input the resource cannot exist without. */
  required(key: string): string {
    const value = this.input(key);
    if (value === undefined)
      throw new InfraDefinitionError(`${this.facts.type} "${this.facts.name}": the mocks need the input '${key}' to build its AWS identifiers, got ${JSON.stringify(this.facts.inputs[key])}`);
    return value;
  }

  /** Whether a boolean input is set to true. */
  flag(key: string): boolean {
    return this.facts.inputs[key] === true;
  }

  /** The physical name: the `key` input, or Pulumi's auto-name (the resource name, a dash, 7 random hex digits). */
  physicalName(key = 'name'): string {
    return this.input(key) ?? `${this.facts.name}-${this.hex('autoname', 7)}`;
  }

  /** `arn:aws:<service>:<region>:<account>:<resource>`; `global` drops the region (IAM, dashboards, Route 53 drop more). */
  arn(service: string, resource: string, scope: 'regional' | 'global' = 'regional'): string {
    return `arn:aws:${service}:${scope === 'regional' ? this.region : ''}:${this.accountId}:${resource}`;
  }

  hex(purpose: string, length: number): string {
    return digest(this.facts.urn, purpose).toString('hex').slice(0, length);
  }

  /** A version-4 UUID, as AWS generates for key ids, health checks and connection suffixes. */
  uuid(purpose: string): string {
    const bytes = digest(this.facts.urn, purpose);
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  }

  /** `length` characters from `alphabet` (lowercase letters and digits unless told). */
  chars(purpose: string, length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
    return [...digest(this.facts.urn, purpose).subarray(0, length)].map((byte) => alphabet[byte % alphabet.length]).join('');
  }
}

function digest(urn: string, purpose: string): Buffer {
  return createHash('sha256').update(`${purpose}\u0000${urn}`).digest();
}

/** A bus given by name or by ARN (both are accepted wherever EventBridge takes a bus), as its name. */
function busName(nameOrArn: string | undefined): string {
  if (nameOrArn === undefined || nameOrArn === '') return 'default';
  return nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.indexOf(':event-bus/') + ':event-bus/'.length) : nameOrArn;
}

const named = (resource: Facts, arn: string, key = 'name') => ({ id: resource.physicalName(key), outputs: { [key]: resource.physicalName(key), arn } });

const FORMATS: Readonly<Record<string, AwsFormat>> = {
  // EventBridge: arn:${Partition}:events:${Region}:${Account}:event-bus/${EventBusName}
  'aws:cloudwatch/eventBus:EventBus': {
    sources: [SAR('amazoneventbridge'), PULUMI('cloudwatch', 'eventbus')],
    state: (r) => named(r, r.arn('events', `event-bus/${r.physicalName()}`)),
  },
  // rule-on-default-event-bus: rule/${RuleName}; rule-on-custom-event-bus: rule/${EventBusName}/${RuleName}.
  // The provider's id is `<bus>/<rule>`, or the rule name alone on the default bus.
  'aws:cloudwatch/eventRule:EventRule': {
    sources: [SAR('amazoneventbridge'), PULUMI('cloudwatch', 'eventrule')],
    state: (r) => {
      const name = r.physicalName();
      const bus = busName(r.input('eventBusName'));
      const path = bus === 'default' ? name : `${bus}/${name}`;
      return { id: path, outputs: { name, arn: r.arn('events', `rule/${path}`) } };
    },
  },
  // A target has no ARN; its id is `<bus>-<rule>-<targetId>` (`<rule>-<targetId>` on the default bus).
  'aws:cloudwatch/eventTarget:EventTarget': {
    sources: [EVENTBRIDGE_API('Target'), PULUMI('cloudwatch', 'eventtarget')],
    state: (r) => {
      const targetId = r.physicalName('targetId');
      const bus = busName(r.input('eventBusName'));
      const rule = r.required('rule');
      return { id: bus === 'default' ? `${rule}-${targetId}` : `${bus}-${rule}-${targetId}`, outputs: { targetId } };
    },
  },
  'aws:cloudwatch/eventBusPolicy:EventBusPolicy': {
    sources: [PULUMI('cloudwatch', 'eventbuspolicy')],
    state: (r) => ({ id: busName(r.input('eventBusName')), outputs: {} }),
  },
  // archive/${ArchiveName}
  'aws:cloudwatch/eventArchive:EventArchive': {
    sources: [SAR('amazoneventbridge'), EVENTBRIDGE_API('Archive')],
    state: (r) => named(r, r.arn('events', `archive/${r.physicalName()}`)),
  },
  // The API returns connection/<name>/<uuid> (pattern ^arn:…:connection\/[\.\-_A-Za-z0-9]+\/[\-A-Za-z0-9]+$); IAM
  // policies name it without the suffix. EventBridge keeps the credentials in a secret it creates, whose name
  // starts `events!connection/<name>/`; Secrets Manager appends six random characters to every secret ARN.
  'aws:cloudwatch/eventConnection:EventConnection': {
    sources: [EVENTBRIDGE_API('Connection'), SAR('awssecretsmanager'), 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-events-connection.html'],
    state: (r) => {
      const name = r.physicalName();
      const secret = `events!connection/${name}/${r.uuid('secret')}-${r.chars('secret-suffix', 6, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')}`;
      return { id: name, outputs: { name, arn: r.arn('events', `connection/${name}/${r.uuid('connection')}`), secretArn: r.arn('secretsmanager', `secret:${secret}`) } };
    },
  },
  // api-destination/<name>/<uuid> (pattern ^arn:…:api-destination\/[\.\-_A-Za-z0-9]+\/[\-A-Za-z0-9]+$).
  'aws:cloudwatch/eventApiDestination:EventApiDestination': {
    sources: [EVENTBRIDGE_API('ApiDestination'), SAR('amazoneventbridge')],
    state: (r) => named(r, r.arn('events', `api-destination/${r.physicalName()}/${r.uuid('api-destination')}`)),
  },
  // endpoint/${EndpointName}; EndpointUrl https://abcde.veo.endpoints.event.amazonaws.com, EndpointId `abcde.veo`
  // (^[A-Za-z0-9\-]+[\.][A-Za-z0-9\-]+$; the URL pattern ^(https://)?[\.\-a-z0-9]+$ allows lowercase only).
  'aws:cloudwatch/eventEndpoint:EventEndpoint': {
    sources: [EVENTBRIDGE_API('Endpoint'), SAR('amazoneventbridge')],
    state: (r) => {
      const name = r.physicalName();
      return {
        id: name,
        outputs: { name, arn: r.arn('events', `endpoint/${name}`), endpointUrl: `https://${r.chars('endpoint-id', 5)}.${r.chars('endpoint-id-suffix', 3)}.endpoints.event.amazonaws.com` },
      };
    },
  },
  // CloudWatch Logs: log-group:${LogGroupName} (the provider's `arn` omits the `:*` DescribeLogGroups appends).
  'aws:cloudwatch/logGroup:LogGroup': {
    sources: [SAR('amazoncloudwatchlogs'), PULUMI('cloudwatch', 'loggroup')],
    state: (r) => named(r, r.arn('logs', `log-group:${r.physicalName()}`)),
  },
  'aws:cloudwatch/logResourcePolicy:LogResourcePolicy': {
    sources: [PULUMI('cloudwatch', 'logresourcepolicy')],
    state: (r) => ({ id: r.required('policyName'), outputs: {} }),
  },
  // CloudWatch: alarm:${AlarmName}; dashboards are global: arn:${Partition}:cloudwatch::${Account}:dashboard/${DashboardName}.
  'aws:cloudwatch/metricAlarm:MetricAlarm': {
    sources: [SAR('amazoncloudwatch')],
    state: (r) => named(r, r.arn('cloudwatch', `alarm:${r.physicalName()}`)),
  },
  'aws:cloudwatch/dashboard:Dashboard': {
    sources: [SAR('amazoncloudwatch')],
    state: (r) => {
      const name = r.required('dashboardName');
      return { id: name, outputs: { dashboardArn: r.arn('cloudwatch', `dashboard/${name}`, 'global') } };
    },
  },
  // DynamoDB: table/${TableName}; stream: table/${TableName}/stream/${StreamLabel}, the label an ISO 8601 time.
  'aws:dynamodb/table:Table': {
    sources: [SAR('amazondynamodb'), 'https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html'],
    state: (r) => {
      const name = r.physicalName();
      const arn = r.arn('dynamodb', `table/${name}`);
      if (!r.flag('streamEnabled')) return { id: name, outputs: { name, arn } };
      const label = new Date(Date.UTC(2026, 0, 1) + digestNumber(r.hex('stream-label', 8))).toISOString().slice(0, -1);
      return { id: name, outputs: { name, arn, streamLabel: label, streamArn: `${arn}/stream/${label}` } };
    },
  },
  // IAM is global: arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}; a role's unique id starts AROA.
  'aws:iam/role:Role': {
    sources: [SAR('awsidentityandaccessmanagementiam'), 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html'],
    state: (r) => {
      const name = r.physicalName();
      const path = r.input('path') ?? '/';
      return { id: name, outputs: { name, arn: r.arn('iam', `role${path}${name}`, 'global'), uniqueId: `AROA${r.chars('unique-id', 17, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}` } };
    },
  },
  // An inline policy has no ARN; the provider's id is `<role>:<policy>`.
  'aws:iam/rolePolicy:RolePolicy': {
    sources: [PULUMI('iam', 'rolepolicy')],
    state: (r) => {
      const name = r.physicalName();
      return { id: `${r.required('role')}:${name}`, outputs: { name } };
    },
  },
  // KMS: key/${KeyId}, the key id a UUID (1234abcd-12ab-34cd-56ef-1234567890ab).
  'aws:kms/key:Key': {
    sources: [SAR('awskeymanagementservice'), 'https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id'],
    state: (r) => {
      const keyId = r.uuid('key-id');
      return { id: keyId, outputs: { keyId, arn: r.arn('kms', `key/${keyId}`) } };
    },
  },
  // Lambda: function:${FunctionName}; API Gateway invokes it through
  // arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations.
  'aws:lambda/function:Function': {
    sources: [SAR('awslambda'), 'https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-request-basic-setup.html'],
    state: (r) => {
      const name = r.physicalName();
      const arn = r.arn('lambda', `function:${name}`);
      const invoke = (target: string) => `arn:aws:apigateway:${r.region}:lambda:path/2015-03-31/functions/${target}/invocations`;
      return { id: name, outputs: { name, arn, version: '$LATEST', qualifiedArn: `${arn}:$LATEST`, invokeArn: invoke(arn), qualifiedInvokeArn: invoke(`${arn}:$LATEST`) } };
    },
  },
  'aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig': {
    sources: [PULUMI('lambda', 'functioneventinvokeconfig')],
    state: (r) => {
      const qualifier = r.input('qualifier');
      return { id: qualifier ? `${r.required('functionName')}:${qualifier}` : r.required('functionName'), outputs: {} };
    },
  },
  'aws:lambda/permission:Permission': {
    sources: [PULUMI('lambda', 'permission')],
    state: (r) => {
      const statementId = r.physicalName('statementId');
      return { id: statementId, outputs: { statementId } };
    },
  },
  // Route 53 is global and account-free: arn:${Partition}:route53:::healthcheck/${Id}, the id a UUID.
  'aws:route53/healthCheck:HealthCheck': {
    sources: [SAR('amazonroute53'), 'https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheck.html'],
    state: (r) => {
      const id = r.uuid('health-check');
      return { id, outputs: { arn: `arn:aws:route53:::healthcheck/${id}` } };
    },
  },
  // EventBridge Schemas: registry/${RegistryName}, schema/${RegistryName}/${SchemaName}, discoverer/${DiscovererId}.
  // The API leaves the discoverer id's format open; AWS names a bus's discoverer after it (`events-event-bus-<bus>`).
  'aws:schemas/registry:Registry': {
    sources: [SAR('amazoneventbridgeschemas')],
    state: (r) => named(r, r.arn('schemas', `registry/${r.physicalName()}`)),
  },
  'aws:schemas/schema:Schema': {
    sources: [SAR('amazoneventbridgeschemas'), PULUMI('schemas', 'schema')],
    state: (r) => {
      const name = r.required('name');
      const registry = r.required('registryName');
      return { id: `${name}/${registry}`, outputs: { arn: r.arn('schemas', `schema/${registry}/${name}`), version: '1' } };
    },
  },
  'aws:schemas/discoverer:Discoverer': {
    sources: [SAR('amazoneventbridgeschemas'), 'https://docs.aws.amazon.com/eventbridge/latest/schema-reference/v1-discoverers.html'],
    state: (r) => {
      const id = `events-event-bus-${busName(r.required('sourceArn'))}`;
      return { id, outputs: { arn: r.arn('schemas', `discoverer/${id}`) } };
    },
  },
  // Step Functions: stateMachine:${StateMachineName}; the provider's id is the ARN.
  'aws:sfn/stateMachine:StateMachine': {
    sources: [SAR('awsstepfunctions'), PULUMI('sfn', 'statemachine')],
    state: (r) => {
      const name = r.physicalName();
      const arn = r.arn('states', `stateMachine:${name}`);
      return { id: arn, outputs: { name, arn, status: 'ACTIVE' } };
    },
  },
  // SNS: arn:${Partition}:sns:${Region}:${Account}:${TopicName}; a subscription is the topic ARN and a UUID.
  'aws:sns/topic:Topic': {
    sources: [SAR('amazonsns')],
    state: (r) => {
      const name = r.physicalName();
      const arn = r.arn('sns', name);
      return { id: arn, outputs: { name, arn } };
    },
  },
  'aws:sns/topicSubscription:TopicSubscription': {
    sources: [SAR('amazonsns'), 'https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html'],
    state: (r) => {
      const arn = `${r.required('topic')}:${r.uuid('subscription')}`;
      return { id: arn, outputs: { arn } };
    },
  },
  // SQS: arn:${Partition}:sqs:${Region}:${Account}:${QueueName}; URL https://sqs.<region>.amazonaws.com/<account>/<name>,
  // which the provider uses as the id (and a queue policy, as its own).
  'aws:sqs/queue:Queue': {
    sources: [SAR('amazonsqs'), 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html'],
    state: (r) => {
      const name = r.physicalName();
      const url = `https://sqs.${r.region}.amazonaws.com/${r.accountId}/${name}`;
      return { id: url, outputs: { name, arn: r.arn('sqs', name), url } };
    },
  },
  'aws:sqs/queuePolicy:QueuePolicy': {
    sources: [PULUMI('sqs', 'queuepolicy')],
    state: (r) => ({ id: r.required('queueUrl'), outputs: {} }),
  },
  // API Gateway v2: an API id of 10 lowercase letters and digits; arn:${Partition}:apigateway:${Region}::/apis/${ApiId};
  // ApiEndpoint https://{api-id}.execute-api.{region}.amazonaws.com; execute-api ARNs
  // arn:${Partition}:execute-api:${Region}:${Account}:${ApiId}/${Stage}/${Method}/${Path}; the $default stage is
  // served from the base URL, https://{api_id}.execute-api.{region}.amazonaws.com/.
  'aws:apigatewayv2/api:Api': {
    sources: [SAR('amazonapigatewaymanagementv2'), SAR('amazonapigateway'), 'https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid.html'],
    state: (r) => {
      const id = r.chars('api-id', 10);
      return {
        id,
        outputs: { arn: `arn:aws:apigateway:${r.region}::/apis/${id}`, apiEndpoint: `https://${id}.execute-api.${r.region}.amazonaws.com`, executionArn: r.arn('execute-api', id) },
      };
    },
  },
  'aws:apigatewayv2/integration:Integration': {
    sources: [PULUMI('apigatewayv2', 'integration')],
    state: (r) => ({ id: r.chars('integration-id', 7), outputs: {} }),
  },
  'aws:apigatewayv2/route:Route': {
    sources: [PULUMI('apigatewayv2', 'route')],
    state: (r) => ({ id: r.chars('route-id', 7), outputs: {} }),
  },
  'aws:apigatewayv2/stage:Stage': {
    sources: [SAR('amazonapigatewaymanagementv2'), SAR('amazonapigateway'), 'https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html'],
    state: (r) => {
      const apiId = r.required('apiId');
      const name = r.required('name');
      return {
        id: name,
        outputs: {
          arn: `arn:aws:apigateway:${r.region}::/apis/${apiId}/stages/${name}`,
          executionArn: r.arn('execute-api', `${apiId}/${name}`),
          invokeUrl: `https://${apiId}.execute-api.${r.region}.amazonaws.com/${name === '$default' ? '' : name}`,
        },
      };
    },
  },
  // S3 ARNs carry neither region nor account: arn:${Partition}:s3:::${BucketName} and …:::${BucketName}/${ObjectName}.
  // The bucket's regional domain name is <bucket>.s3.<region>.amazonaws.com (virtual-hosted style). The bucket's
  // configuration resources (versioning, encryption, public access block, ownership controls, policy) are known to
  // the provider by the bucket's name; an object by `<bucket>/<key>`, with an ETag (the MD5 of a single-part upload,
  // quoted by S3, unquoted by the provider) and, in a versioned bucket, a version id of 32 URL-safe characters.
  'aws:s3/bucket:Bucket': {
    sources: [SAR('amazons3'), 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html', PULUMI('s3', 'bucket')],
    state: (r) => {
      const bucket = r.physicalName('bucket');
      return {
        id: bucket,
        outputs: { bucket, arn: `arn:aws:s3:::${bucket}`, region: r.region, bucketDomainName: `${bucket}.s3.amazonaws.com`, bucketRegionalDomainName: `${bucket}.s3.${r.region}.amazonaws.com` },
      };
    },
  },
  ...Object.fromEntries(
    [
      'bucketVersioning:BucketVersioning',
      'bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
      'bucketPublicAccessBlock:BucketPublicAccessBlock',
      'bucketOwnershipControls:BucketOwnershipControls',
      'bucketPolicy:BucketPolicy',
    ].map((type): [string, AwsFormat] => [`aws:s3/${type}`, { sources: [PULUMI('s3', type.split(':')[1]?.toLowerCase() ?? '')], state: (r) => ({ id: r.required('bucket'), outputs: {} }) }]),
  ),
  'aws:s3/bucketObjectv2:BucketObjectv2': {
    sources: [SAR('amazons3'), 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html', PULUMI('s3', 'bucketobjectv2')],
    state: (r) => {
      const bucket = r.required('bucket');
      const key = r.required('key');
      const content = r.input('content') ?? '';
      return {
        id: `${bucket}/${key}`,
        outputs: {
          arn: `arn:aws:s3:::${bucket}/${key}`,
          etag: createHash('md5').update(content).digest('hex'),
          versionId: r.chars('version-id', 32, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._'),
        },
      };
    },
  },
  // API Gateway REST APIs: ids of 10 lowercase letters and digits (API and root resource), 6 for resources, models,
  // validators and deployments; arn:${Partition}:apigateway:${Region}::/restapis/${RestApiId}[/stages/${StageName}];
  // execute-api ARNs arn:${Partition}:execute-api:${Region}:${Account}:${ApiId}/${Stage}/${Method}/${Path}; a stage is
  // invoked at https://{restapi_id}.execute-api.{region}.amazonaws.com/{stage_name}. The provider knows a method as
  // agm-<api>-<resource>-<METHOD>, an integration as agi-…, a gateway response as aggr-<api>-<type>, a stage as
  // ags-<api>-<stage>, method settings as <api>-<stage>-<method path>, and the account setting as api-gateway-account.
  'aws:apigateway/restApi:RestApi': {
    sources: [SAR('amazonapigateway'), 'https://docs.aws.amazon.com/apigateway/latest/api/API_RestApi.html', 'https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-call-api.html'],
    state: (r) => {
      const id = r.chars('rest-api-id', 10);
      return { id, outputs: { arn: `arn:aws:apigateway:${r.region}::/restapis/${id}`, rootResourceId: r.chars('root-resource-id', 10), executionArn: r.arn('execute-api', id) } };
    },
  },
  'aws:apigateway/resource:Resource': {
    sources: ['https://docs.aws.amazon.com/apigateway/latest/api/API_Resource.html'],
    state: (r) => ({ id: r.chars('resource-id', 6), outputs: { path: `/${r.required('pathPart')}` } }),
  },
  'aws:apigateway/model:Model': {
    sources: ['https://docs.aws.amazon.com/apigateway/latest/api/API_Model.html'],
    state: (r) => ({ id: r.chars('model-id', 6), outputs: { name: r.required('name') } }),
  },
  'aws:apigateway/requestValidator:RequestValidator': {
    sources: ['https://docs.aws.amazon.com/apigateway/latest/api/API_RequestValidator.html'],
    state: (r) => ({ id: r.chars('validator-id', 6), outputs: {} }),
  },
  'aws:apigateway/method:Method': {
    sources: [PULUMI('apigateway', 'method')],
    state: (r) => ({ id: `agm-${r.required('restApi')}-${r.required('resourceId')}-${r.required('httpMethod')}`, outputs: {} }),
  },
  'aws:apigateway/integration:Integration': {
    sources: [PULUMI('apigateway', 'integration')],
    state: (r) => ({ id: `agi-${r.required('restApi')}-${r.required('resourceId')}-${r.required('httpMethod')}`, outputs: {} }),
  },
  'aws:apigateway/response:Response': {
    sources: [PULUMI('apigateway', 'response')],
    state: (r) => ({ id: `aggr-${r.required('restApiId')}-${r.required('responseType')}`, outputs: {} }),
  },
  'aws:apigateway/deployment:Deployment': {
    sources: ['https://docs.aws.amazon.com/apigateway/latest/api/API_Deployment.html'],
    state: (r) => ({ id: r.chars('deployment-id', 6), outputs: { createdDate: '2026-01-01T00:00:00Z' } }),
  },
  'aws:apigateway/stage:Stage': {
    sources: [SAR('amazonapigateway'), 'https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-call-api.html', PULUMI('apigateway', 'stage')],
    state: (r) => {
      const api = r.required('restApi');
      const stage = r.required('stageName');
      return {
        id: `ags-${api}-${stage}`,
        outputs: {
          arn: `arn:aws:apigateway:${r.region}::/restapis/${api}/stages/${stage}`,
          executionArn: r.arn('execute-api', `${api}/${stage}`),
          invokeUrl: `https://${api}.execute-api.${r.region}.amazonaws.com/${stage}`,
        },
      };
    },
  },
  'aws:apigateway/methodSettings:MethodSettings': {
    sources: [PULUMI('apigateway', 'methodsettings')],
    state: (r) => ({ id: `${r.required('restApi')}-${r.required('stageName')}-${r.required('methodPath')}`, outputs: {} }),
  },
  'aws:apigateway/account:Account': {
    sources: [PULUMI('apigateway', 'account')],
    state: () => ({ id: 'api-gateway-account', outputs: {} }),
  },
  // WAF: arn:${Partition}:wafv2:${Region}:${Account}:regional/webacl/${Name}/${Id}, the id a UUID; an association
  // is known to the provider as `<web ACL ARN>,<resource ARN>`.
  'aws:wafv2/webAcl:WebAcl': {
    sources: [SAR('awswafv2'), 'https://docs.aws.amazon.com/waf/latest/APIReference/API_WebACL.html'],
    state: (r) => {
      const id = r.uuid('web-acl');
      return { id, outputs: { arn: r.arn('wafv2', `regional/webacl/${r.required('name')}/${id}`), lockToken: r.uuid('lock-token'), capacity: 1 } };
    },
  },
  'aws:wafv2/webAclAssociation:WebAclAssociation': {
    sources: [PULUMI('wafv2', 'webaclassociation')],
    state: (r) => ({ id: `${r.required('webAclArn')},${r.required('resourceArn')}`, outputs: {} }),
  },
  // Pulumi gives each provider instance a UUID as its id.
  'pulumi:providers:aws': {
    sources: ['https://www.pulumi.com/docs/iac/concepts/resources/providers/'],
    state: (r) => ({ id: r.uuid('provider'), outputs: {} }),
  },
};

/** Up to about 50 days in milliseconds (8 hex digits): a stream creation time after the base date. */
function digestNumber(hex: string): number {
  return Number.parseInt(hex, 16);
}

/** The AWS pages documenting a type's formats, or undefined for a type this module does not know. */
export function awsFormatSources(type: string): readonly string[] | undefined {
  return FORMATS[type]?.sources;
}

/**
 * The id and output-only properties AWS returns for a resource, in its documented format; undefined for a type
 * this module does not know (the synth tests require every AWS type the stack declares to have a format).
 */
export function awsState(facts: ResourceFacts): AwsResourceState | undefined {
  return FORMATS[facts.type]?.state(new Facts(facts));
}
