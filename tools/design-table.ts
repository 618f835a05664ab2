import type { Action, Application } from '../model/application';

/** The design table (API | input events | service | action | output events), as the 2022 talk draws it. */
export function renderDesignTable(app: Application): string {
  const rows = app.actions.map((action) => [
    action.trigger.kind === 'api' ? `${action.trigger.method} ${action.trigger.path}` : '',
    action.inputs.map(label).join(', '),
    action.service,
    action.name,
    action.emits.join(', '),
    styleOf(action),
  ]);
  return markdownTable(['API (sync)', 'Input events', 'Service', 'Action', 'Output events', 'Style'], rows);
}

/** The event table (name | attributes | producer | consumers | versions). */
export function renderEventTable(app: Application): string {
  const rows = app.catalog.eventNames().map((name) => {
    const versions = app.catalog.versionsOf(name);
    const newest = versions[versions.length - 1];
    const required = (newest?.dataSchema.required as string[] | undefined) ?? [];
    return [
      name,
      required.join(', '),
      app
        .producersOf(name)
        .map((a) => a.id)
        .join(', '),
      app
        .consumersOf(name)
        .map((a) => a.id)
        .join(', '),
      versions.map((v) => `v${v.version}`).join(', '),
    ];
  });
  return markdownTable(['Name', 'Attributes', 'Producer', 'Consumers', 'Versions'], rows);
}

function label(input: { name: string; version: number }): string {
  return input.version === 1 ? input.name : `${input.name} v${input.version}`;
}

function styleOf(action: Action): string {
  if (action.trigger.kind === 'saga-step') return action.trigger.compensation ? 'orchestrated (compensation)' : 'orchestrated';
  if (action.trigger.kind === 'subscription') return `choreographed → ${action.trigger.target}`;
  return 'api';
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const escapeCell = (cell: string) => cell.replace(/\|/g, '\\|');
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
