import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Another stack imports the components by the package's name; `npm test` builds dist/ first.
describe('package exports', () => {
  it.each([
    ['eventflow/infra', 'EventBus', 'dist/infra/index.d.ts'],
    ['eventflow/model', 'loadOrderSystem', 'dist/model/index.d.ts'],
    ['eventflow/functions', 'EventPublisher', 'dist/functions/shared/index.d.ts'],
  ])('%s resolves to compiled code with type declarations', (specifier, member, declarations) => {
    const resolved = require.resolve(specifier);

    expect(resolved).toBe(join(__dirname, '..', '..', declarations.replace('.d.ts', '.js')));
    expect(existsSync(join(__dirname, '..', '..', declarations))).toBe(true);
    expect(typeof (jest.requireActual(specifier) as Record<string, unknown>)[member]).toBe('function');
  });

  it('offers the catalog’s code bindings to other teams (types only), as the schema registry’s code bindings do', () => {
    const resolved = require.resolve('eventflow/bindings');
    const declarations = join(__dirname, '..', '..', 'dist', 'functions', 'shared', 'catalog-types.d.ts');

    expect(resolved).toBe(declarations.replace('.d.ts', '.js'));
    expect(readFileSync(declarations, 'utf8')).toMatch(/export type PaymentMadeV2Data = \{[\s\S]*export interface EventDataMap \{/);
  });
});
