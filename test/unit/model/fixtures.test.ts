import { loadCatalog } from '../../../model';
import { fixtureEvent, fixtureFiles } from '../../helpers/fixtures';

describe('event fixtures', () => {
  it('has one valid example event per catalog version and none for unknown events', () => {
    const catalog = loadCatalog();
    const expected = catalog
      .all()
      .map((entry) => `${entry.name}.v${entry.version}.json`)
      .sort();

    expect(fixtureFiles()).toEqual(expected);
    for (const entry of catalog.all()) {
      expect({ event: entry.schemaRef, violations: catalog.checkFor(entry)(fixtureEvent(entry.name, entry.version)) }).toEqual({ event: entry.schemaRef, violations: [] });
    }
  });
});
