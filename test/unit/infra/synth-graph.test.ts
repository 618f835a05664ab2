import { synthesizeShared } from '../../helpers/synth-cache';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isComponent, resourceGraph, type ResourceGraph } from '../../../infra/synth/graph';
import type { RecordedResource } from '../../../infra/synth/mocks';
import { readStackConfig, type SynthResult } from '../../../infra/synth/synthesize';
import { writeSynthFiles } from '../../../infra/synth/write';

/** The diagram's region subgraphs: region → the node labels drawn inside it. */
function subgraphs(mermaid: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of mermaid.split('\n').map((l) => l.trim())) {
    const opened = /^subgraph \w+\["(.+)"\]$/.exec(line);
    if (opened) {
      current = [];
      found.set(opened[1]!, current);
    } else if (line === 'end') current = undefined;
    else if (current) current.push(/^\w+\["(.+)"\]$/.exec(line)?.[1] ?? `unparsed: ${line}`);
  }
  return found;
}

describe('the synthesized resource graph (dev stack)', () => {
  let result: SynthResult;
  let graph: ResourceGraph;
  let files: { json: { graph: ResourceGraph; resources: Array<{ urn: string; parent?: string }> }; md: string };
  const byUrn = new Map<string, RecordedResource>();
  const named = (type: string, name: string) => result.resources.find((r) => r.type === type && r.name === name);

  beforeAll(async () => {
    // Arrange: one evaluation of the program, and the files `npm run synth` writes from it.
    result = await synthesizeShared('dev', {}, { stackTraces: false });
    for (const r of result.resources) byUrn.set(r.urn, r);
    graph = resourceGraph(result.resources);
    const dir = mkdtempSync(join(tmpdir(), 'eventflow-graph-'));
    try {
      const [json, md] = writeSynthFiles(result, dir);
      files = { json: JSON.parse(readFileSync(json!, 'utf8')) as typeof files.json, md: readFileSync(md!, 'utf8') };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  describe('the parent tree', () => {
    it('gives every resource but the order system a parent that exists', () => {
      const orphans = result.resources.filter((r) => r.parent === undefined).map((r) => `${r.type} ${r.name}`);
      const dangling = result.resources.filter((r) => r.parent !== undefined && !byUrn.has(r.parent)).map((r) => `${r.type} ${r.name} → ${r.parent}`);

      expect(orphans).toEqual(['eventflow:infra:OrderSystem order-system']);
      expect(dangling).toEqual([]);
    });

    it('gives every component children, and parents AWS resources only to components', () => {
      const children = new Map<string, number>();
      for (const r of result.resources) if (r.parent) children.set(r.parent, (children.get(r.parent) ?? 0) + 1);

      const components = result.resources.filter((r) => !r.custom);
      expect(components.length).toBeGreaterThan(20);
      expect(components.filter((c) => !children.has(c.urn)).map((c) => `${c.type} ${c.name}`)).toEqual([]);
      expect(result.resources.filter((r) => r.parent && byUrn.get(r.parent)?.custom).map((r) => r.name)).toEqual([]);
    });

    it('writes the same tree into the JSON file', () => {
      expect(files.json.graph.parents).toHaveLength(result.resources.length - 1);
      expect(files.json.graph.parents).toEqual(graph.parents);
      expect(files.json.resources.find((r) => r.urn === named('aws:lambda/function:Function', 'primary-fn-orders-CreateOrder-function')?.urn)?.parent).toBe(
        named('eventflow:infra:ServiceFunction', 'primary-fn-orders-CreateOrder')?.urn,
      );
    });
  });

  describe('dependencies', () => {
    it('records only dependencies that exist', () => {
      expect(graph.dependsOn.length).toBeGreaterThan(100);
      expect(graph.dependsOn.filter((edge) => !byUrn.has(edge.to))).toEqual([]);
    });

    it('records a function’s explicit dependency on its log group and its implicit one on its role', () => {
      for (const fn of result.resources.filter((r) => r.type === 'aws:lambda/function:Function')) {
        const on = fn.dependencies.map((urn) => byUrn.get(urn)!);
        const logGroup = on.find((r) => r.type === 'aws:cloudwatch/logGroup:LogGroup');
        const role = on.find((r) => r.type === 'aws:iam/role:Role');

        expect({ fn: fn.name, logGroup: logGroup?.inputs.name, role: role?.outputs.arn }).toEqual({ fn: fn.name, logGroup: `/aws/lambda/${String(fn.inputs.name)}`, role: fn.inputs.role });
      }
    });

    it('records the cross-account route’s dependsOn on the target bus policy', () => {
      const route = named('eventflow:infra:Subscription', 'payments-route-route')!;
      const policy = named('aws:cloudwatch/eventBusPolicy:EventBusPolicy', 'payments-route-target-policy')!;

      expect(graph.dependsOn).toContainEqual({ from: route.urn, to: policy.urn });
    });
  });

  describe('references by ARN', () => {
    const references = (from: RecordedResource, to: RecordedResource) => graph.arnReferences.filter((ref) => ref.from === from.urn && ref.to === to.urn).map((ref) => ref.property);

    it('links every rule target to the function, queue, bus, state machine or API destination whose ARN it targets', () => {
      const targets = result.resources.filter((r) => r.type === 'aws:cloudwatch/eventTarget:EventTarget');
      const unlinked = targets.flatMap((target) => {
        const targeted = result.resources.find((r) => r.outputs.arn === target.inputs.arn);
        return targeted && references(target, targeted).includes('arn') ? [] : [{ target: target.name, arn: target.inputs.arn, found: targeted?.name }];
      });

      expect(targets.length).toBeGreaterThan(10);
      expect(unlinked).toEqual([]);
    });

    it('links a dead-letter queue’s policy to the rule its condition admits', () => {
      const rule = result.resources.find((r) => r.type === 'aws:cloudwatch/eventRule:EventRule' && r.inputs.name === 'eventflow-dev-notifications-SendEmail')!;
      const policies = result.resources.filter((r) => r.type === 'aws:sqs/queuePolicy:QueuePolicy' && references(r, rule).includes('policy'));

      expect(policies).toHaveLength(1);
    });

    it('links the order view’s saga ARN, which the program writes by hand, to the state machine it names', () => {
      const getOrder = result.resources.filter((r) => r.type === 'aws:lambda/function:Function' && String(r.inputs.name).endsWith('-orders-GetOrder'));
      const linked = getOrder.map((fn) => {
        const sagaArn = (fn.inputs.environment as { variables: Record<string, string> }).variables.ORDER_SAGA_ARN;
        const machine = result.resources.find((r) => r.type === 'aws:sfn/stateMachine:StateMachine' && r.outputs.arn === sagaArn);
        return { fn: fn.name, machine: machine?.name, properties: machine ? references(fn, machine) : [] };
      });

      expect(getOrder.length).toBeGreaterThan(0);
      expect(linked).toEqual(getOrder.map((fn) => ({ fn: fn.name, machine: expect.any(String), properties: ['environment.variables.ORDER_SAGA_ARN'] })));
    });

    it('links the global endpoint to both copies of the bus, one in each region', () => {
      const endpoint = result.resources.find((r) => r.type === 'aws:cloudwatch/eventEndpoint:EventEndpoint')!;
      const buses = result.resources.filter((r) => r.type === 'aws:cloudwatch/eventBus:EventBus' && r.inputs.name === 'eventflow-dev');

      expect(buses.map((bus) => references(endpoint, bus))).toEqual([['eventBuses[0].eventBusArn'], ['eventBuses[1].eventBusArn']]);
      expect(new Set(buses.map((bus) => bus.region)).size).toBe(2);
    });
  });

  describe('the diagram in synth/<stage>.md', () => {
    let regions: Map<string, string[]>;
    beforeAll(() => {
      regions = subgraphs(/```mermaid\n([\s\S]*?)\n```/.exec(files.md)?.[1] ?? '');
    });

    it('draws one subgraph per region of the stage: the primary and the global endpoint’s secondary', () => {
      const config = readStackConfig('dev');
      const secondary = (JSON.parse(config['eventflow:globalEndpoint']!) as { secondaryRegion: string }).secondaryRegion;

      expect([...regions.keys()].sort()).toEqual([config['aws:region'], secondary].sort());
    });

    it('draws each component inside the region its AWS resources live in', () => {
      const parentOf = (r: RecordedResource) => (r.parent ? byUrn.get(r.parent) : undefined);
      const descendantRegions = (component: RecordedResource) =>
        new Set(
          result.resources
            .filter((r) => typeof r.outputs.arn === 'string' && String(r.outputs.arn).split(':')[3] !== '')
            .filter((r) => {
              for (let at = parentOf(r); at; at = parentOf(at)) if (at.urn === component.urn) return true;
              return false;
            })
            .map((r) => String(r.outputs.arn).split(':')[3]),
        );
      const drawnIn = (label: string) => [...regions].filter(([, labels]) => labels.includes(label)).map(([region]) => region);

      const components = result.resources.filter((r) => isComponent(r));
      const misplaced = components.flatMap((component) => {
        const [only, ...others] = descendantRegions(component);
        const label = `${component.type.split(':').pop()}<br/>${component.name}`;
        return only !== undefined && others.length === 0 && drawnIn(label).join() !== only ? [{ component: label, region: only, drawnIn: drawnIn(label) }] : [];
      });

      expect(misplaced).toEqual([]);
      expect([...regions.values()].flat()).toHaveLength(components.length);
      for (const [region, labels] of regions) expect({ region, components: labels.length > 5 }).toEqual({ region, components: true });
    });

    it('draws the global endpoint’s reference into the secondary region', () => {
      const mermaid = /```mermaid\n([\s\S]*?)\n```/.exec(files.md)?.[1] ?? '';
      const idOf = (label: string) => new RegExp(`(\\w+)\\["${label}"\\]`).exec(mermaid)?.[1];

      expect(mermaid).toContain(`${idOf('GlobalEndpoint<br/>global-endpoint')} -. ARN .-> ${idOf('EventBus<br/>replica-bus')}`);
    });
  });
});
