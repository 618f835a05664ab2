import { join } from 'node:path';
import { repoRoot } from '../model/paths';

/** Where an action's handler lives: `functions/<service>/<kebab-case action>.ts`, exporting `handler`. */
export function handlerFile(actionId: string): string {
  const [service, action] = actionId.split('.') as [string, string];
  return join(repoRoot(), 'functions', service, `${action.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}.ts`);
}
