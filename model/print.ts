/**
 * `npx tsx model/print.ts`: load and check the catalog and the model, then print the design table, the event
 * table and every subscription's derived pattern. A broken model exits non-zero with every problem listed.
 */
import { EventflowError, loadOrderSystem, renderDesignTable, renderEventTable } from '.';

function main(): void {
  const app = loadOrderSystem();
  const out = process.stdout;
  out.write(`# ${app.name}: ${app.actions.length} actions, ${app.catalog.all().length} event versions, ${app.subscriptions.length} subscriptions\n\n`);
  out.write(`## Design table\n\n${renderDesignTable(app)}\n\n`);
  out.write(`## Event table\n\n${renderEventTable(app)}\n\n`);
  out.write('## Subscriptions (derived EventBridge patterns)\n\n');
  for (const subscription of app.subscriptions) {
    out.write(`- ${subscription.id} → ${subscription.target}: ${JSON.stringify(subscription.pattern)}\n`);
  }
}

try {
  main();
} catch (error) {
  if (!(error instanceof EventflowError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
