import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EventflowError } from './errors';

/**
 * The repository root: the nearest folder above this module holding `catalog/envelope.json`. Found by walking
 * up rather than fixed relative to `__dirname`, so the same code works from source and when a tool bundles it.
 */
export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'catalog', 'envelope.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new EventflowError(`no catalog/envelope.json above ${__dirname}: set EVENTFLOW_CATALOG_DIR`);
    dir = parent;
  }
  return dir;
}
