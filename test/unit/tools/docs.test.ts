import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrderSystem } from '../../../model';
import { renderDocs } from '../../../tools/docs';
import { repoRoot } from '../../../model/paths';

describe('generated docs', () => {
  it('are up to date with the model and the catalog (run `npm run docs` after changing either)', () => {
    for (const [path, content] of renderDocs(loadOrderSystem())) {
      expect({ path, content: readFileSync(join(repoRoot(), path), 'utf8') }).toEqual({ path, content });
    }
  });

  it('keeps no page for an event the catalog no longer has', () => {
    const rendered = [...renderDocs(loadOrderSystem()).keys()].filter((path) => path.startsWith('docs/events/')).map((path) => path.slice('docs/events/'.length));

    expect(readdirSync(join(repoRoot(), 'docs', 'events')).sort()).toEqual(rendered.sort());
  });
});
