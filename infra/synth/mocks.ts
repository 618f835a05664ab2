import type * as pulumiType from '@pulumi/pulumi';
import type { MockCallArgs, MockResourceArgs, MockResourceResult, Mocks } from '@pulumi/pulumi/runtime';
import type { MockMonitor } from '@pulumi/pulumi/runtime/mocks.js';
import { awsState, type Placement } from './aws-formats';
import { InfraDefinitionError } from '../errors';

/** A resource the program registered: what it was given, where it sits in the graph, and what AWS returned. */
export interface RecordedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** A cloud resource (`true`) or a component (`false`). */
  readonly custom: boolean;
  /** The inputs it was given, secrets unwrapped (and flagged in `secretInputs`). */
  readonly inputs: Record<string, unknown>;
  /** Input paths (`a.b[0]`) that were passed as secrets. */
  readonly secretInputs: readonly string[];
  /** The parent's URN; absent for a top-level resource. */
  readonly parent?: string;
  /** URNs it depends on: its `dependsOn` and the resources its inputs came from. */
  readonly dependencies: readonly string[];
  /** The explicit provider's URN; absent where the default provider (config `aws:region`) serves it. */
  readonly provider?: string;
  /** The region it lives in: its own `region` input, else its provider's (a component: the provider its children inherit). */
  readonly region: string;
  /** The account it lives in, from its provider. */
  readonly accountId: string;
  /** The physical id the mocks returned. */
  readonly id: string;
  /** The output-only properties the mocks returned (ARNs, URLs, generated names), in AWS's format for the type. */
  readonly outputs: Record<string, unknown>;
}

/** Where the default provider puts resources when the configuration does not say (`aws:region`, `eventflow:accountId`). */
export const MOCK_DEFAULT_PLACEMENT: Placement = { region: 'eu-west-1', accountId: '111111111111' };

const SECRET_KEY = '4dabf18193072939515e22adb298388d';
const SECRET_SIGNATURE = '1b47061264138c4ac30d75fd1eb44270';

function unwrap(value: unknown, path: string, secrets: string[]): unknown {
  if (value && typeof value === 'object' && Reflect.get(value, SECRET_KEY) === SECRET_SIGNATURE) {
    secrets.push(path);
    return unwrap(Reflect.get(value, 'value'), path, secrets);
  }
  if (Array.isArray(value)) return value.map((item, i) => unwrap(item, `${path}[${i}]`, secrets));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v, path ? `${path}.${k}` : k, secrets)]));
  return value;
}

/** The parts of Pulumi's RegisterResourceRequest (a protobuf message) the recorder reads. */
interface RegisterResourceRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getProvidersMap(): { get(key: string): string | undefined };
  getDependenciesList(): string[];
}

/** What the monitor hands the recorder about the registration under way, beyond what `newResource` receives. */
interface Registration {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string;
  readonly dependencies: readonly string[];
  /** The explicit provider reference, `<provider urn>::<provider id>`. */
  readonly providerRef?: string;
  /** A component's `providers: { aws }` reference, which its children inherit. */
  readonly componentProviderRef?: string;
}

/** `<urn>::<id>` → the URN (URNs contain `::` themselves). */
const providerUrn = (ref: string) => ref.slice(0, ref.lastIndexOf('::'));

/** A JSON-string or array input (the aws provider serialises its object inputs), as a list. */
function listInput(value: unknown): unknown[] {
  const parsed: unknown = typeof value === 'string' && value.startsWith('[') ? JSON.parse(value) : value;
  return Array.isArray(parsed) ? parsed : [];
}

/** The mocks: they record each registration and answer with AWS's formats, in the resource's region and account. */
class Recorder implements Mocks {
  readonly resources: RecordedResource[] = [];
  /** Providers' and components' placements, by URN: children take theirs from these. */
  private readonly placements = new Map<string, Placement>();
  private registering: Registration | undefined;

  constructor(private readonly defaults: Placement) {}

  /** Announces the registration whose `newResource` call comes next. */
  expect(registration: Registration): void {
    this.registering = registration;
  }

  newResource(args: MockResourceArgs): MockResourceResult {
    const registration = this.registering;
    this.registering = undefined;
    if (!registration || registration.type !== args.type || registration.name !== args.name) {
      throw new InfraDefinitionError(`the recording mocks lost track of ${args.type} "${args.name}": Pulumi's MockMonitor no longer calls newResource as registerResource begins`);
    }
    const secrets: string[] = [];
    const inputs = unwrap(args.inputs, '', secrets) as Record<string, unknown>;
    const custom = args.custom ?? true;
    const placement = this.placementOf(registration, custom, inputs);
    if (!custom || args.type.startsWith('pulumi:providers:')) this.placements.set(registration.urn, placement);
    const state = custom ? awsState({ type: args.type, name: args.name, urn: registration.urn, inputs, ...placement }) : undefined;
    const id = state?.id ?? (custom ? `${args.name}-id` : '');
    const outputs = { ...state?.outputs };
    this.resources.push({
      urn: registration.urn,
      type: args.type,
      name: args.name,
      custom,
      inputs,
      secretInputs: secrets,
      ...(registration.parent ? { parent: registration.parent } : {}),
      dependencies: registration.dependencies,
      ...(registration.providerRef ? { provider: providerUrn(registration.providerRef) } : {}),
      ...placement,
      id,
      outputs,
    });
    // Inputs win over outputs of the same name: an EventTarget's `arn` input is its target's ARN, not its own.
    return { id, state: { ...outputs, ...args.inputs } };
  }

  call(args: MockCallArgs): never {
    throw new InfraDefinitionError(`the program made an unexpected provider call: ${args.token}`);
  }

  private placementOf(registration: Registration, custom: boolean, inputs: Record<string, unknown>): Placement {
    if (registration.type === 'pulumi:providers:aws') return this.providerPlacement(inputs);
    const ref = custom ? registration.providerRef : registration.componentProviderRef;
    const inherited = ref ? this.placed(providerUrn(ref)) : !custom && registration.parent ? (this.placements.get(registration.parent) ?? this.defaults) : this.defaults;
    // AWS provider v7 resources take a `region` of their own, which overrides the provider's.
    return typeof inputs.region === 'string' && custom ? { ...inherited, region: inputs.region } : inherited;
  }

  /** A provider's region is its `region` input; its account, the one whose role it assumes or the one it is limited to. */
  private providerPlacement(inputs: Record<string, unknown>): Placement {
    const role = listInput(inputs.assumeRoles)[0];
    const roleArn = role && typeof role === 'object' ? Reflect.get(role, 'roleArn') : undefined;
    const allowed = listInput(inputs.allowedAccountIds);
    const onlyAllowed = allowed.length === 1 ? allowed[0] : undefined;
    const accountId = (typeof roleArn === 'string' ? /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(roleArn)?.[1] : undefined) ?? (typeof onlyAllowed === 'string' ? onlyAllowed : this.defaults.accountId);
    return { region: typeof inputs.region === 'string' ? inputs.region : this.defaults.region, accountId };
  }

  private placed(urn: string): Placement {
    const placement = this.placements.get(urn);
    if (!placement) throw new InfraDefinitionError(`the recording mocks met a provider they did not record: ${urn}`);
    return placement;
  }
}

const hasUrn = (response: unknown): response is { getUrn(): string } => typeof response === 'object' && response !== null && typeof Reflect.get(response, 'getUrn') === 'function';

/** The URN Pulumi's MockMonitor gives a resource: the parent's type is prefixed to the type (`Parent$Child`). */
function urnOf(stack: string, project: string, req: RegisterResourceRequest): string {
  const parent = req.getParent();
  const type = parent ? `${parent.split('::')[2]?.split('$').pop()}$${req.getType()}` : req.getType();
  return `urn:pulumi:${[stack, project, type, req.getName()].join('::')}`;
}

/**
 * Pulumi's MockMonitor hands `newResource` neither the parent, the dependencies nor the URN; this one reads them from
 * the request and announces them to the recorder, whose `newResource` the base class calls before its first await.
 */
function recordingMonitor(Base: typeof MockMonitor, recorder: Recorder, pulumi: typeof pulumiType): MockMonitor {
  class RecordingMonitor extends Base {
    override async registerResource(req: RegisterResourceRequest, callback: (error: unknown, response: unknown) => void): Promise<void> {
      const urn = urnOf(pulumi.runtime.getStack(), pulumi.runtime.getProject(), req);
      const providerRef = req.getProvider();
      const componentProviderRef = req.getCustom() ? undefined : req.getProvidersMap().get('aws');
      recorder.expect({
        urn,
        type: req.getType(),
        name: req.getName(),
        ...(req.getParent() ? { parent: req.getParent() } : {}),
        dependencies: [...new Set(req.getDependenciesList())].sort(),
        ...(providerRef ? { providerRef } : {}),
        ...(componentProviderRef ? { componentProviderRef } : {}),
      });
      return super.registerResource(req, (error: unknown, response: unknown) => {
        const answered = hasUrn(response) ? response.getUrn() : undefined;
        if (!error && answered !== urn) callback(new InfraDefinitionError(`the recording mocks expected the URN ${urn}, Pulumi's MockMonitor answered ${String(answered)}`), undefined);
        else callback(error, response);
      });
    }

    // As setMocks: no Output values in inputs (the mocks would see Output objects), no transforms (no callback server).
    override supportsFeature(req: { getId(): string }, callback: (error: unknown, response: { getHassupport(): boolean }) => void): void {
      const unsupported = ['outputValues', 'transforms', 'invokeTransforms'].includes(req.getId());
      callback(null, { getHassupport: () => !unsupported });
    }
  }
  return new RecordingMonitor(recorder);
}

/**
 * `setMockOptions` resets the runtime's record of what the monitor supports (secrets, resource references…), which
 * `setMocks` then sets by hand. The runtime's own query asks the monitor's `supportsFeature`; without it secrets
 * would reach the mocks unwrapped, and the synth files could not redact them.
 */
async function askMonitorFeatures(runtime: object): Promise<void> {
  const ask: unknown = Reflect.get(runtime, 'awaitFeatureSupport');
  if (typeof ask !== 'function') throw new InfraDefinitionError('@pulumi/pulumi no longer has runtime.awaitFeatureSupport: the recording mocks cannot turn secrets on');
  await Reflect.apply(ask, undefined, []);
}

/**
 * Installs Pulumi mocks that record every resource (inputs, parent, dependencies, provider, region) and answer with
 * the ids, ARNs and URLs AWS returns for its type ({@link awsState}), in the region and account of its provider;
 * any provider `call` (data source) fails, since the program makes none. Call before importing the program.
 * Shared by `npm run synth` and the tests.
 */
export async function installMocks(config: Record<string, string> = {}, stack = 'dev'): Promise<{ pulumi: typeof pulumiType; resources: RecordedResource[] }> {
  const pulumi = await import('@pulumi/pulumi');
  const { MockMonitor } = await import('@pulumi/pulumi/runtime/mocks.js');
  pulumi.runtime.setAllConfig(config);
  const recorder = new Recorder({ region: config['aws:region'] ?? MOCK_DEFAULT_PLACEMENT.region, accountId: config['eventflow:accountId'] ?? MOCK_DEFAULT_PLACEMENT.accountId });
  pulumi.runtime.setMockOptions(recordingMonitor(MockMonitor, recorder, pulumi), 'eventflow', stack, false);
  await askMonitorFeatures(pulumi.runtime);
  return { pulumi, resources: recorder.resources };
}

/** The value of an Output, once resolved. */
export function outputValue<T>(output: pulumiType.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Waits until every resource registered so far has been recorded. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

export const ofType = (resources: readonly RecordedResource[], type: string) => resources.filter((r) => r.type === type);
