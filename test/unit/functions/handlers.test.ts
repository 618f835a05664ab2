import { existsSync } from 'node:fs';
import { deploymentPlan, loadOrderSystem } from '../../../model';
import { handlerFile } from '../../../functions/handlers';

describe('function handlers', () => {
  it('has a handler file for every action the deployment plan runs as a function', () => {
    const actions = deploymentPlan(loadOrderSystem()).functions.map((action) => action.id);

    expect(actions.length).toBeGreaterThan(0);
    for (const id of actions) expect({ id, exists: existsSync(handlerFile(id)) }).toEqual({ id, exists: true });
  });
});
