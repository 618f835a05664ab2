import type { Application } from '../model/application';

/** An ASL state as far as drawing it needs. */
interface DrawableState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Default?: string;
  readonly Choices?: ReadonlyArray<{ readonly Next: string; readonly StringEquals?: string }>;
  readonly Catch?: ReadonlyArray<{ readonly Next: string }>;
}

/** The saga drawn from its ASL as a Mermaid state diagram: transitions, choices by outcome, catches dashed. */
export function sagaDiagram(definition: { readonly StartAt: string; readonly States: Readonly<Record<string, DrawableState>> }): string {
  const states = Object.entries(definition.States);
  // Mermaid wants choice states declared before any transition names them.
  const lines = ['stateDiagram-v2', ...states.filter(([, state]) => state.Type === 'Choice').map(([name]) => `  state ${name} <<choice>>`), `  [*] --> ${definition.StartAt}`];
  for (const [name, state] of states) {
    if (state.Next) lines.push(`  ${name} --> ${state.Next}`);
    for (const choice of state.Choices ?? []) lines.push(`  ${name} --> ${choice.Next}: ${choice.StringEquals ?? 'condition'}`);
    if (state.Default) lines.push(`  ${name} --> ${state.Default}: otherwise`);
    for (const handler of state.Catch ?? []) lines.push(`  ${name} --> ${handler.Next}: error`);
    if (state.Type === 'Succeed' || state.Type === 'Fail' || state.End) lines.push(`  ${name} --> [*]`);
  }
  return lines.join('\n');
}

/** Producer → event → consumers, with orchestrated steps and choreographed subscriptions drawn apart. */
export function choreographyDiagram(app: Application): string {
  const lines = ['flowchart LR'];
  const id = (text: string) => text.replace(/[^A-Za-z0-9]/g, '_');
  for (const event of app.catalog.eventNames()) {
    lines.push(`  ${id(event)}{{${event}}}`);
    for (const producer of app.producersOf(event)) lines.push(`  ${id(producer.id)}[${producer.id}] --> ${id(event)}`);
    for (const consumer of app.consumersOf(event)) {
      const arrow = consumer.style === 'choreographed' ? '==>|rule|' : '-.->|saga|';
      lines.push(`  ${id(event)} ${arrow} ${id(consumer.id)}[${consumer.id}]`);
    }
  }
  return lines.join('\n');
}

/** What a stage deploys, as far as the topology diagram draws it (a subset of the infra's StageConfig). */
export interface StageTopology {
  readonly stage: string;
  readonly region: string;
  readonly accountId: string;
  readonly globalEndpoint?: { readonly secondaryRegion: string };
  readonly paymentsAccount?: { readonly accountId: string; readonly region: string };
  readonly deliveryProvider: { readonly endpoint: string; readonly rateLimitPerSecond: number };
}

/** The deployed topology of one stage: bus and regions, the global endpoint, the cross-account route, the API destination. */
export function topologyDiagram(app: Application, stage: StageTopology): string {
  const bus = `eventflow-${stage.stage}`;
  const lines = ['flowchart LR', `  subgraph primary["account ${stage.accountId} · ${stage.region}"]`, `    bus[(${bus})]`, '    saga[[order saga]]', '    api[/HTTP API/]', '  end'];
  lines.push('  api --> bus', '  bus --> saga', '  saga --> bus');
  for (const subscription of app.subscriptions) lines.push(`  bus -->|rule| ${subscription.id.replace('.', '_')}[${subscription.id} · ${subscription.target}]`);
  if (stage.globalEndpoint) {
    lines.push(`  subgraph secondary["account ${stage.accountId} · ${stage.globalEndpoint.secondaryRegion}"]`, `    replica[(${bus})]`, '  end');
    lines.push('  endpoint{{global endpoint}} -->|healthy| bus', '  endpoint -.->|failover| replica', '  bus <-.->|replication| replica');
  }
  if (stage.paymentsAccount) {
    lines.push(`  subgraph payments["account ${stage.paymentsAccount.accountId} · ${stage.paymentsAccount.region}"]`, `    paymentsBus[(${bus}-payments)]`, '  end');
    lines.push('  bus -->|payment facts| paymentsBus');
  }
  lines.push(`  delivery_NotifyDeliveryProvider -->|API destination · ${stage.deliveryProvider.rateLimitPerSecond}/s| provider([${new URL(stage.deliveryProvider.endpoint).host}])`);
  return lines.join('\n');
}
