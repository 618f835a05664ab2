/**
 * The mocks answer as AWS does: every id, ARN and URL of the synthesized dev stack has the format AWS documents for
 * its type, in the region and account of its provider. The patterns below are written from the AWS pages cited next
 * to each, not from infra/synth/aws-formats.ts, so a format the mocks get wrong fails here.
 */
import { synthesizeShared } from '../../helpers/synth-cache';
import { awsFormatSources, awsState, type ResourceFacts } from '../../../infra/synth/aws-formats';
import type { RecordedResource } from '../../../infra/synth/mocks';
import { readStackConfig, type SynthResult } from '../../../infra/synth/synthesize';
import { EventflowError } from '../../../model/errors';
import { thrownBy } from '../../helpers/thrown';

const ACCOUNT = /^\d{12}$/;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The output-only properties a resource answered with, as strings. */
const out = (r: RecordedResource, key: string) => (typeof r.outputs[key] === 'string' ? (r.outputs[key] as string) : `<no ${key}>`);
const input = (r: RecordedResource, key: string) => String(r.inputs[key]);

describe('AWS formats of the mocked dev stack', () => {
  let result: SynthResult;
  let config: Record<string, string>;
  let endpointIdFromUrl: (url: string) => string;
  /** Where each resource must live: its provider's region (config `aws:region` for the default) and account. */
  let expected: (r: RecordedResource) => { region: string; account: string };

  beforeAll(async () => {
    // Arrange: one evaluation of the program for the whole file.
    result = await synthesizeShared('dev', {}, { stackTraces: false });
    ({ endpointIdFromUrl } = await import('../../../infra/global-endpoint'));
    config = readStackConfig('dev');
    const payments = JSON.parse(config['eventflow:paymentsAccount']!) as { accountId: string; deployRoleArn: string };
    const providers = new Map(result.resources.filter((r) => r.type === 'pulumi:providers:aws').map((p) => [p.urn, p]));
    expected = (r) => {
      const provider = r.provider === undefined ? undefined : providers.get(r.provider);
      const region = typeof r.inputs.region === 'string' ? r.inputs.region : provider ? String(provider.inputs.region) : config['aws:region']!;
      const account = provider && JSON.stringify(provider.inputs).includes(payments.deployRoleArn) ? payments.accountId : config['eventflow:accountId']!;
      return { region, account };
    };
  }, 60_000);

  const ofType = (type: string) => {
    const found = result.resources.filter((r) => r.type === type);
    expect({ type, declared: found.length > 0 }).toEqual({ type, declared: true });
    return found;
  };

  /** Checks `actual` against `pattern` for each resource of a type, reporting every mismatch at once. */
  const expectEach = (type: string, check: (r: RecordedResource, at: { region: string; account: string }) => Array<[label: string, actual: string, pattern: RegExp]>) => {
    const mismatches = ofType(type).flatMap((r) =>
      check(r, expected(r))
        .filter(([, actual, pattern]) => !pattern.test(actual))
        .map(([label, actual, pattern]) => ({ resource: r.name, label, actual, pattern: pattern.source })),
    );
    expect(mismatches).toEqual([]);
  };
  const arn = (service: string, region: string, account: string, resource: string) => new RegExp(`^arn:aws:${service}:${escapeRegExp(region)}:${escapeRegExp(account)}:${resource}$`);

  it('knows the AWS format of every AWS type the stack declares', () => {
    const types = [...new Set(result.resources.filter((r) => r.custom).map((r) => r.type))].sort();

    expect(types.filter((type) => awsFormatSources(type) === undefined)).toEqual([]);
    expect(types.length).toBeGreaterThan(30);
  });

  describe('Amazon EventBridge', () => {
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html
    // event-bus: arn:${Partition}:events:${Region}:${Account}:event-bus/${EventBusName}
    it('event bus ARNs are event-bus/<name>', () => {
      expectEach('aws:cloudwatch/eventBus:EventBus', (r, at) => [['arn', out(r, 'arn'), arn('events', at.region, at.account, `event-bus/${escapeRegExp(input(r, 'name'))}`)]]);
    });

    // Same page: rule-on-custom-event-bus rule/${EventBusName}/${RuleName}, rule-on-default-event-bus rule/${RuleName}.
    it('rule ARNs on a custom bus are rule/<bus>/<rule>', () => {
      expectEach('aws:cloudwatch/eventRule:EventRule', (r, at) => {
        const bus = r.inputs.eventBusName === undefined || r.inputs.eventBusName === 'default' ? '' : `${escapeRegExp(input(r, 'eventBusName'))}/`;
        return [['arn', out(r, 'arn'), arn('events', at.region, at.account, `rule/${bus}${escapeRegExp(String(r.inputs.name ?? r.outputs.name))}`)]];
      });
      expect(ofType('aws:cloudwatch/eventRule:EventRule').every((r) => /:rule\/[^/]+\/[^/]+$/.test(out(r, 'arn')))).toBe(true);
    });

    // Same page: archive/${ArchiveName}; https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DescribeArchive.html
    it('archive ARNs are archive/<name>', () => {
      expectEach('aws:cloudwatch/eventArchive:EventArchive', (r, at) => [['arn', out(r, 'arn'), arn('events', at.region, at.account, `archive/${escapeRegExp(input(r, 'name'))}`)]]);
    });

    // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Connection.html
    // ConnectionArn: ^arn:aws([a-z]|\-)*:events:([a-z]|\d|\-)*:([0-9]{12})?:connection\/[\.\-_A-Za-z0-9]+\/[\-A-Za-z0-9]+$
    it('connection ARNs are connection/<name>/<id>, as the API returns them', () => {
      expectEach('aws:cloudwatch/eventConnection:EventConnection', (r, at) => [
        ['arn (API pattern)', out(r, 'arn'), /^arn:aws([a-z]|-)*:events:([a-z]|\d|-)*:([0-9]{12})?:connection\/[.\-_A-Za-z0-9]+\/[-A-Za-z0-9]+$/],
        ['arn', out(r, 'arn'), arn('events', at.region, at.account, `connection/${escapeRegExp(input(r, 'name'))}/[-A-Za-z0-9]+`)],
      ]);
    });

    // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ApiDestination.html
    // ApiDestinationArn: ^arn:aws([a-z]|\-)*:events:([a-z]|\d|\-)*:([0-9]{12})?:api-destination\/[\.\-_A-Za-z0-9]+\/[\-A-Za-z0-9]+$
    it('API destination ARNs are api-destination/<name>/<id>, as the API returns them', () => {
      expectEach('aws:cloudwatch/eventApiDestination:EventApiDestination', (r, at) => [
        ['arn (API pattern)', out(r, 'arn'), /^arn:aws([a-z]|-)*:events:([a-z]|\d|-)*:([0-9]{12})?:api-destination\/[.\-_A-Za-z0-9]+\/[-A-Za-z0-9]+$/],
        ['arn', out(r, 'arn'), arn('events', at.region, at.account, `api-destination/${escapeRegExp(input(r, 'name'))}/[-A-Za-z0-9]+`)],
      ]);
    });

    // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Endpoint.html
    // Arn: ^arn:aws([a-z]|\-)*:events:([a-z]|\d|\-)*:([0-9]{12})?:endpoint\/[/\.\-_A-Za-z0-9]+$
    // EndpointUrl: ^(https://)?[\.\-a-z0-9]+$, e.g. https://abcde.veo.endpoints.event.amazonaws.com
    it('global endpoint ARNs are endpoint/<name> and URLs https://<id>.endpoints.event.amazonaws.com', () => {
      expectEach('aws:cloudwatch/eventEndpoint:EventEndpoint', (r, at) => [
        ['arn (API pattern)', out(r, 'arn'), /^arn:aws([a-z]|-)*:events:([a-z]|\d|-)*:([0-9]{12})?:endpoint\/[/.\-_A-Za-z0-9]+$/],
        ['arn', out(r, 'arn'), arn('events', at.region, at.account, `endpoint/${escapeRegExp(input(r, 'name'))}`)],
        ['endpointUrl (API pattern)', out(r, 'endpointUrl'), /^(https:\/\/)?[.\-a-z0-9]+$/],
        ['endpointUrl', out(r, 'endpointUrl'), /^https:\/\/[a-z0-9-]+\.[a-z0-9-]+\.endpoints\.event\.amazonaws\.com$/],
      ]);
    });

    // Same page: EndpointId ^[A-Za-z0-9\-]+[\.][A-Za-z0-9\-]+$, 1–50 characters, the URL's subdomain.
    it('exports an endpointId that matches AWS’s EndpointId pattern and is the endpoint URL’s subdomain', () => {
      const endpointId = String(result.outputs.endpointId);
      const url = out(ofType('aws:cloudwatch/eventEndpoint:EventEndpoint')[0]!, 'endpointUrl');

      expect(endpointId).toMatch(/^[A-Za-z0-9-]+[.][A-Za-z0-9-]+$/);
      expect(endpointId.length).toBeLessThanOrEqual(50);
      expect(`https://${endpointId}.endpoints.event.amazonaws.com`).toBe(url);
    });
  });

  describe('the endpointId parser', () => {
    it('reads AWS’s documented example: https://abcde.veo.endpoints.event.amazonaws.com is abcde.veo', () => {
      expect(endpointIdFromUrl('https://abcde.veo.endpoints.event.amazonaws.com')).toBe('abcde.veo');
      expect(endpointIdFromUrl('https://abcde.veo.endpoints.event.amazonaws.com/')).toBe('abcde.veo');
    });

    it.each([
      ['the format the mocks once invented', 'https://eventflow-dev-endpoint.endpoint.events.amazonaws.com'],
      ['a one-label id', 'https://abcde.endpoints.event.amazonaws.com'],
      ['a three-label id', 'https://a.b.c.endpoints.event.amazonaws.com'],
      ['another host', 'https://abcde.veo.endpoints.event.example.com'],
      ['plain http', 'http://abcde.veo.endpoints.event.amazonaws.com'],
      ['a path', 'https://abcde.veo.endpoints.event.amazonaws.com/events'],
      ['an id over 50 characters', `https://${'a'.repeat(40)}.${'b'.repeat(10)}.endpoints.event.amazonaws.com`],
      ['no URL at all', 'abcde.veo'],
    ])('rejects %s, naming the URL', (_, url) => {
      const error = thrownBy(() => endpointIdFromUrl(url), EventflowError);

      expect(error.message).toBe(
        `GlobalEndpoint: 'endpointUrl' must be https://<id>.endpoints.event.amazonaws.com with an id matching ^[A-Za-z0-9-]+[.][A-Za-z0-9-]+$ (1–50 characters), got ${JSON.stringify(url)}`,
      );
    });
  });

  describe('the other services', () => {
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatchlogs.html
    // log-group: arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}
    it('log group ARNs are log-group:<name>', () => {
      expectEach('aws:cloudwatch/logGroup:LogGroup', (r, at) => [['arn', out(r, 'arn'), arn('logs', at.region, at.account, `log-group:${escapeRegExp(input(r, 'name'))}`)]]);
    });

    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
    // alarm: arn:${Partition}:cloudwatch:${Region}:${Account}:alarm:${AlarmName}; dashboard: arn:${Partition}:cloudwatch::${Account}:dashboard/${DashboardName}
    it('alarm ARNs are alarm:<name>', () => {
      expectEach('aws:cloudwatch/metricAlarm:MetricAlarm', (r, at) => [['arn', out(r, 'arn'), arn('cloudwatch', at.region, at.account, `alarm:${escapeRegExp(input(r, 'name'))}`)]]);
    });

    // Same page.
    it('dashboard ARNs carry no region: arn:aws:cloudwatch::<account>:dashboard/<name>', () => {
      expectEach('aws:cloudwatch/dashboard:Dashboard', (r, at) => [
        ['dashboardArn', out(r, 'dashboardArn'), arn('cloudwatch', '', at.account, `dashboard/${escapeRegExp(input(r, 'dashboardName'))}`)],
      ]);
    });

    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
    // table: table/${TableName}; stream: table/${TableName}/stream/${StreamLabel}
    it('table ARNs are table/<name>, stream ARNs table/<name>/stream/<label>', () => {
      expectEach('aws:dynamodb/table:Table', (r, at) => [
        ['arn', out(r, 'arn'), arn('dynamodb', at.region, at.account, `table/${escapeRegExp(input(r, 'name'))}`)],
        ['streamArn', out(r, 'streamArn'), arn('dynamodb', at.region, at.account, `table/${escapeRegExp(input(r, 'name'))}/stream/\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}`)],
      ]);
    });

    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
    // role: arn:${Partition}:iam::${Account}:role/${RoleNameWithPath} (IAM is global: no region)
    it('role ARNs are global: arn:aws:iam::<account>:role/<name>', () => {
      expectEach('aws:iam/role:Role', (r, at) => [['arn', out(r, 'arn'), arn('iam', '', at.account, `role/${escapeRegExp(out(r, 'name'))}`)]]);
    });

    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html (key/${KeyId})
    // https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id (key ID 1234abcd-12ab-34cd-56ef-1234567890ab)
    it('key ARNs are key/<key id>, the key id a UUID', () => {
      expectEach('aws:kms/key:Key', (r, at) => [
        ['keyId', out(r, 'keyId'), new RegExp(`^${UUID}$`)],
        ['arn', out(r, 'arn'), arn('kms', at.region, at.account, `key/${escapeRegExp(out(r, 'keyId'))}`)],
      ]);
    });

    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html (function:${FunctionName})
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-request-basic-setup.html
    // arn:aws:apigateway:api-region:lambda:path//2015-03-31/functions/arn:aws:lambda:lambda-region:account-id:function:lambda-function-name/invocations
    it('function ARNs are function:<name>, invoke ARNs the API Gateway path to them', () => {
      expectEach('aws:lambda/function:Function', (r, at) => [
        ['arn', out(r, 'arn'), arn('lambda', at.region, at.account, `function:${escapeRegExp(input(r, 'name'))}`)],
        ['invokeArn', out(r, 'invokeArn'), new RegExp(`^arn:aws:apigateway:${escapeRegExp(at.region)}:lambda:path/2015-03-31/functions/${escapeRegExp(out(r, 'arn'))}/invocations$`)],
      ]);
    });

    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonroute53.html (arn:${Partition}:route53:::healthcheck/${Id})
    it('health check ARNs are global and account-free: arn:aws:route53:::healthcheck/<id>', () => {
      expectEach('aws:route53/healthCheck:HealthCheck', (r) => [['arn', out(r, 'arn'), new RegExp(`^arn:aws:route53:::healthcheck/${escapeRegExp(r.id)}$`)]]);
    });

    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridgeschemas.html
    // registry/${RegistryName}, schema/${RegistryName}/${SchemaName}, discoverer/${DiscovererId}
    it('schema registry ARNs are registry/<name>', () => {
      expectEach('aws:schemas/registry:Registry', (r, at) => [['arn', out(r, 'arn'), arn('schemas', at.region, at.account, `registry/${escapeRegExp(input(r, 'name'))}`)]]);
    });

    // Same page.
    it('schema ARNs are schema/<registry>/<name>', () => {
      expectEach('aws:schemas/schema:Schema', (r, at) => [
        ['arn', out(r, 'arn'), arn('schemas', at.region, at.account, `schema/${escapeRegExp(input(r, 'registryName'))}/${escapeRegExp(input(r, 'name'))}`)],
      ]);
    });

    // Same page; https://docs.aws.amazon.com/eventbridge/latest/schema-reference/v1-discoverers.html leaves the id's format open.
    it('discoverer ARNs are discoverer/<id>', () => {
      expectEach('aws:schemas/discoverer:Discoverer', (r, at) => [['arn', out(r, 'arn'), arn('schemas', at.region, at.account, `discoverer/${escapeRegExp(r.id)}`)]]);
    });

    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html
    // stateMachine: arn:${Partition}:states:${Region}:${Account}:stateMachine:${StateMachineName}
    it('state machine ARNs are stateMachine:<name>', () => {
      expectEach('aws:sfn/stateMachine:StateMachine', (r, at) => [['arn', out(r, 'arn'), arn('states', at.region, at.account, `stateMachine:${escapeRegExp(input(r, 'name'))}`)]]);
      expect(String(result.outputs.stateMachineArn)).toMatch(arn('states', config['aws:region']!, config['eventflow:accountId']!, 'stateMachine:eventflow-dev-order-saga'));
    });

    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html (arn:${Partition}:sns:${Region}:${Account}:${TopicName})
    it('topic ARNs are the topic name after the account', () => {
      expectEach('aws:sns/topic:Topic', (r, at) => [['arn', out(r, 'arn'), arn('sns', at.region, at.account, escapeRegExp(input(r, 'name')))]]);
    });

    // https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html (SubscriptionArn: the topic ARN and an id)
    it('subscription ARNs are the topic ARN and a UUID', () => {
      expectEach('aws:sns/topicSubscription:TopicSubscription', (r) => [['arn', out(r, 'arn'), new RegExp(`^${escapeRegExp(input(r, 'topic'))}:${UUID}$`)]]);
    });

    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html (arn:${Partition}:sqs:${Region}:${Account}:${QueueName})
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html
    // (https://sqs.us-east-2.amazonaws.com/123456789012/MyQueue); the provider's id is the queue URL.
    it('queue ARNs are the queue name after the account, URLs https://sqs.<region>.amazonaws.com/<account>/<name>', () => {
      expectEach('aws:sqs/queue:Queue', (r, at) => [
        ['arn', out(r, 'arn'), arn('sqs', at.region, at.account, escapeRegExp(input(r, 'name')))],
        ['url', out(r, 'url'), new RegExp(`^https://sqs\\.${escapeRegExp(at.region)}\\.amazonaws\\.com/${at.account}/${escapeRegExp(input(r, 'name'))}$`)],
        ['id', r.id, new RegExp(`^${escapeRegExp(out(r, 'url'))}$`)],
      ]);
      for (const url of Object.values(result.outputs.deadLetterQueueUrls as Record<string, string>)) expect(url).toMatch(/^https:\/\/sqs\.[a-z0-9-]+\.amazonaws\.com\/\d{12}\/[A-Za-z0-9_-]{1,80}$/);
    });

    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonapigateway.html
    //   (arn:${Partition}:apigateway:${Region}::/restapis/${RestApiId}, …/restapis/${RestApiId}/stages/${StageName};
    //    arn:${Partition}:execute-api:${Region}:${Account}:${ApiId}/${Stage}/${Method}/${Path})
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/how-to-call-api.html
    //   ("https://{restapi_id}.execute-api.{region}.amazonaws.com/{stage_name}/")
    it('REST API ids, ARNs, stage URLs and execution ARNs', () => {
      expectEach('aws:apigateway/restApi:RestApi', (r, at) => [
        ['id', r.id, /^[a-z0-9]{10}$/],
        ['rootResourceId', out(r, 'rootResourceId'), /^[a-z0-9]{10}$/],
        ['arn', out(r, 'arn'), new RegExp(`^arn:aws:apigateway:${escapeRegExp(at.region)}::/restapis/${r.id}$`)],
        ['executionArn', out(r, 'executionArn'), arn('execute-api', at.region, at.account, r.id)],
      ]);
      expectEach('aws:apigateway/stage:Stage', (r, at) => [
        [
          'invokeUrl',
          out(r, 'invokeUrl'),
          new RegExp(`^https://${escapeRegExp(input(r, 'restApi'))}\\.execute-api\\.${escapeRegExp(at.region)}\\.amazonaws\\.com/${escapeRegExp(input(r, 'stageName'))}$`),
        ],
        ['arn', out(r, 'arn'), new RegExp(`^arn:aws:apigateway:${escapeRegExp(at.region)}::/restapis/${escapeRegExp(input(r, 'restApi'))}/stages/${escapeRegExp(input(r, 'stageName'))}$`)],
        ['executionArn', out(r, 'executionArn'), arn('execute-api', at.region, at.account, `${escapeRegExp(input(r, 'restApi'))}/${escapeRegExp(input(r, 'stageName'))}`)],
      ]);
      expect(String(result.outputs.apiUrl)).toMatch(/^https:\/\/[a-z0-9]{10}\.execute-api\.[a-z0-9-]+\.amazonaws\.com\/api$/);
    });

    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awswafv2.html (arn:${Partition}:wafv2:${Region}:${Account}:${Scope}/webacl/${Name}/${Id})
    it('WAF web ACL ARNs are regional, named, with a UUID id, and associated with the stage ARN', () => {
      expectEach('aws:wafv2/webAcl:WebAcl', (r, at) => [
        ['id', r.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/],
        ['arn', out(r, 'arn'), arn('wafv2', at.region, at.account, `regional/webacl/${escapeRegExp(input(r, 'name'))}/${r.id}`)],
      ]);
      expectEach('aws:wafv2/webAclAssociation:WebAclAssociation', (r, at) => [
        ['resourceArn', input(r, 'resourceArn'), new RegExp(`^arn:aws:apigateway:${escapeRegExp(at.region)}::/restapis/[a-z0-9]{10}/stages/api$`)],
      ]);
    });

    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html (arn:${Partition}:s3:::${BucketName}, …:::${BucketName}/${ObjectName})
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html (https://bucket-name.s3.region-code.amazonaws.com/key-name)
    it('S3 bucket and object ARNs carry no region or account; the regional domain name is virtual-hosted style', () => {
      expectEach('aws:s3/bucket:Bucket', (r, at) => [
        ['arn', out(r, 'arn'), new RegExp(`^arn:aws:s3:::${escapeRegExp(input(r, 'bucket'))}$`)],
        ['bucketRegionalDomainName', out(r, 'bucketRegionalDomainName'), new RegExp(`^${escapeRegExp(input(r, 'bucket'))}\\.s3\\.${escapeRegExp(at.region)}\\.amazonaws\\.com$`)],
      ]);
      expectEach('aws:s3/bucketObjectv2:BucketObjectv2', (r) => [
        ['arn', out(r, 'arn'), new RegExp(`^arn:aws:s3:::${escapeRegExp(input(r, 'bucket'))}/${escapeRegExp(input(r, 'key'))}$`)],
        ['etag', out(r, 'etag'), /^[0-9a-f]{32}$/],
      ]);
    });
  });

  describe('regions and accounts', () => {
    it('puts every ARN and URL in its provider’s region and account', () => {
      const misplaced = result.resources.flatMap((r) => {
        const at = expected(r);
        return Object.entries(r.outputs).flatMap(([key, value]) => {
          if (typeof value !== 'string') return [];
          if (value.startsWith('arn:')) {
            const [, , service, region, account] = value.split(':');
            // Global services leave the region out; API Gateway's service ARNs carry `lambda` or nothing as the account.
            const wrongRegion = region !== '' && region !== at.region;
            const wrongAccount = service !== 'apigateway' && account !== '' && account !== at.account;
            return wrongRegion || wrongAccount || (account !== '' && service !== 'apigateway' && !ACCOUNT.test(account ?? '')) ? [{ resource: `${r.type} ${r.name}`, key, value, expected: at }] : [];
          }
          if (value.startsWith('https://') && value.includes('.amazonaws.com') && !value.includes('.endpoints.event.') && !value.includes(`.${at.region}.`))
            return [{ resource: `${r.type} ${r.name}`, key, value, expected: at }];
          return [];
        });
      });

      expect(misplaced).toEqual([]);
    });

    it('gives the secondary region’s resources the secondary region, and the payments account’s the payments account', () => {
      const secondary = (JSON.parse(config['eventflow:globalEndpoint']!) as { secondaryRegion: string }).secondaryRegion;
      const payments = (JSON.parse(config['eventflow:paymentsAccount']!) as { accountId: string }).accountId;
      const arnsIn = (predicate: (region: string, account: string) => boolean) =>
        result.resources.filter((r) => typeof r.outputs.arn === 'string' && predicate(String(r.outputs.arn).split(':')[3]!, String(r.outputs.arn).split(':')[4]!));

      // The replica region holds a copy of the bus and of every regional service: half of the functions and sagas.
      const inSecondary = (type: string) => arnsIn((region) => region === secondary).filter((r) => r.type === type).length;
      const all = (type: string) => result.resources.filter((r) => r.type === type).length;
      expect(inSecondary('aws:lambda/function:Function')).toBeGreaterThan(0);
      expect(inSecondary('aws:lambda/function:Function') * 2).toBe(all('aws:lambda/function:Function'));
      expect(inSecondary('aws:sfn/stateMachine:StateMachine') * 2).toBe(all('aws:sfn/stateMachine:StateMachine'));
      expect(
        arnsIn((region) => region === secondary)
          .filter((r) => r.type === 'aws:cloudwatch/eventBus:EventBus')
          .map((r) => r.inputs.name),
      ).toEqual(['eventflow-dev']);
      expect(arnsIn((_, account) => account === payments).map((r) => r.type)).toEqual(['aws:cloudwatch/eventBus:EventBus']);
    });
  });

  describe('determinism', () => {
    const facts: ResourceFacts = { type: 'aws:kms/key:Key', name: 'k', urn: 'urn:pulumi:dev::eventflow::aws:kms/key:Key::k', region: 'eu-west-1', accountId: '111111111111', inputs: {} };

    it('derives generated ids from the URN: the same resource always gets the same id, another resource another', () => {
      expect(awsState(facts)).toEqual(awsState({ ...facts }));
      expect(awsState({ ...facts, urn: `${facts.urn}2` })?.id).not.toBe(awsState(facts)?.id);
    });
  });
});
