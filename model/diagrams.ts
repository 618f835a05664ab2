import type { Application } from './application';

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
