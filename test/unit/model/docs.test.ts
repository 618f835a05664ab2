import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrderSystem } from '../../../model';
import { renderDocs } from '../../../model/docs';
import { repoRoot } from '../../../model/paths';

describe('generated docs', () => {
  it('are up to date with the model and the catalog (run `npm run docs` after changing either)', () => {
    for (const [path, content] of renderDocs(loadOrderSystem())) {
      expect({ path, content: readFileSync(join(repoRoot(), path), 'utf8') }).toEqual({ path, content });
    }
  });
});
