import type { RecordedResource } from './mocks';

/** One resource as a node of the graph. */
export interface GraphNode {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** A cloud resource (`true`) or a component (`false`). */
  readonly custom: boolean;
  readonly region: string;
  readonly accountId: string;
}

/** `from` is the child, the dependent or the referrer; `to` the parent, the dependency or the resource referred to. */
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
}

/** An input of `from` (at `property`, as the mocks record paths) that is, or contains, `arn`: the ARN of `to`. */
export interface ArnReference extends GraphEdge {
  readonly property: string;
  readonly arn: string;
}

/** The resource graph of a synthesized stack: the parent tree, the dependencies and the references by ARN. */
export interface ResourceGraph {
  readonly nodes: readonly GraphNode[];
  readonly parents: readonly GraphEdge[];
  readonly dependsOn: readonly GraphEdge[];
  readonly arnReferences: readonly ArnReference[];
}

// An ARN starts at `arn:aws…:` and runs to the end of the token; the lookahead finds ARNs nested in others
// (a Lambda invoke ARN carries the function's).
const ARN_TOKEN = /(?=(arn:aws[a-z-]*:[^\s"'`,;()[\]{}<>]+))/g;

/** Every ARN a resource answered with (its own `arn`, and execution, invoke, stream and secret ARNs). */
function arnsOf(resource: RecordedResource): string[] {
  return Object.values(resource.outputs).filter((value): value is string => typeof value === 'string' && value.startsWith('arn:'));
}

/** Every string in the inputs with its path, leaving out the paths passed as secrets. */
function strings(value: unknown, path: string, secret: ReadonlySet<string>, found: Array<[string, string]>): Array<[string, string]> {
  if (secret.has(path)) return found;
  if (typeof value === 'string') found.push([path, value]);
  else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) strings(item, `${path}[${i}]`, secret, found);
  } else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) strings(item, path ? `${path}.${key}` : key, secret, found);
  return found;
}

/**
 * The longest ARN known in `byArn` that `token` is, or begins with up to a `:` or `/` (so `<log group ARN>:*` and
 * `<API execution ARN>/*\/*` refer to the log group and the API, while `event-bus/a-b` does not refer to `event-bus/a`).
 */
function longestKnownArn(token: string, byArn: ReadonlyMap<string, string>): string | undefined {
  for (let end = token.length; end > 0; end = Math.max(token.lastIndexOf(':', end - 1), token.lastIndexOf('/', end - 1))) {
    const candidate = token.slice(0, end);
    if (byArn.has(candidate)) return candidate;
  }
  return undefined;
}

/** Builds the graph from what the mocks recorded. */
export function resourceGraph(resources: readonly RecordedResource[]): ResourceGraph {
  const byArn = new Map<string, string>();
  for (const resource of resources) for (const arn of arnsOf(resource)) byArn.set(arn, resource.urn);

  const arnReferences: ArnReference[] = [];
  for (const resource of resources) {
    const seen = new Set<string>();
    for (const [property, value] of strings(resource.inputs, '', new Set(resource.secretInputs), [])) {
      if (!value.includes('arn:')) continue;
      for (const match of value.matchAll(ARN_TOKEN)) {
        const arn = longestKnownArn(match[1] ?? '', byArn);
        const to = arn === undefined ? undefined : byArn.get(arn);
        const key = `${property}\u0000${arn}`;
        if (arn === undefined || to === undefined || to === resource.urn || seen.has(key)) continue;
        seen.add(key);
        arnReferences.push({ from: resource.urn, to, property, arn });
      }
    }
  }

  return {
    nodes: resources.map(({ urn, type, name, custom, region, accountId }) => ({ urn, type, name, custom, region, accountId })),
    parents: resources.flatMap((r) => (r.parent ? [{ from: r.urn, to: r.parent }] : [])),
    dependsOn: resources.flatMap((r) => r.dependencies.map((to) => ({ from: r.urn, to }))),
    arnReferences,
  };
}

/** Whether a node is one of the program's components (`eventflow:<module>:<Class>`). */
export const isComponent = (node: Pick<GraphNode, 'type' | 'custom'>) => !node.custom && node.type.startsWith('eventflow:');

const label = (text: string) => text.replace(/"/g, '#quot;');

/**
 * A Mermaid flowchart of the components, one subgraph per region (a component sits in the region of the provider its
 * children inherit), with the parent tree and, dotted, the references by ARN from one region into another.
 */
export function componentDiagram(graph: ResourceGraph): string {
  const components = graph.nodes.filter(isComponent);
  const ids = new Map(components.map((node, index) => [node.urn, `c${index}`]));
  const byUrn = new Map(graph.nodes.map((node) => [node.urn, node]));
  const parentOf = new Map(graph.parents.map((edge) => [edge.from, edge.to]));
  /** The component a resource belongs to: itself, or its nearest component ancestor. */
  const owner = (urn: string): string | undefined => {
    for (let at: string | undefined = urn; at !== undefined; at = parentOf.get(at)) if (ids.has(at)) return at;
    return undefined;
  };

  const lines = ['flowchart LR'];
  const regions = [...new Set(components.map((node) => node.region))].sort();
  regions.forEach((region, index) => {
    lines.push(`  subgraph region${index}["${label(region)}"]`);
    for (const node of components.filter((c) => c.region === region)) {
      const type = node.type.split(':').pop() ?? node.type;
      lines.push(`    ${ids.get(node.urn)}["${label(type)}<br/>${label(node.name)}"]`);
    }
    lines.push('  end');
  });
  for (const edge of graph.parents) {
    const [child, parent] = [ids.get(edge.from), ids.get(edge.to)];
    if (child && parent) lines.push(`  ${parent} --> ${child}`);
  }
  const crossRegion = new Set<string>();
  for (const reference of graph.arnReferences) {
    const [from, to] = [owner(reference.from), owner(reference.to)];
    const [fromNode, toNode] = [byUrn.get(reference.from), byUrn.get(reference.to)];
    if (!from || !to || from === to || !fromNode || !toNode || fromNode.region === toNode.region) continue;
    crossRegion.add(`  ${ids.get(from)} -. ARN .-> ${ids.get(to)}`);
  }
  lines.push(...[...crossRegion].sort());
  return lines.join('\n');
}
