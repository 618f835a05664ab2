import { existsSync } from 'node:fs';
import { loadOrderSystem } from '../../../model';
import { FUNCTION_NEEDS, functionActions, handlerFile } from '../../../functions/handlers';

describe('function handlers', () => {
  it('has a handler file for every action that runs as a function, and declares what each needs', () => {
    const actions = functionActions(loadOrderSystem()).map((action) => action.id);

    for (const id of actions) expect({ id, exists: existsSync(handlerFile(id)) }).toEqual({ id, exists: true });
    expect(Object.keys(FUNCTION_NEEDS).sort()).toEqual([...actions].sort());
  });
});
