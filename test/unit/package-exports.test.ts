import { existsSync } from 'node:fs';
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
});
