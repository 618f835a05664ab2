import type { LocalEventBus, PutEventsEntry, PutEventsResult } from './bus/local-event-bus';
import { LocalRuntimeError } from './errors';

export interface LocalGlobalEndpointOptions {
  /** The endpoint id publishers pass as EndpointId (two labels, as AWS's `abcde.veo`). */
  readonly id: string;
  readonly primary: LocalEventBus;
  readonly secondary: LocalEventBus;
  /** Copy every accepted event to the other region's bus, as AWS's replication does. @default true */
  readonly replication?: boolean;
  /**
   * How long a replica takes to reach the other bus. AWS publishes no figure for global endpoint replication;
   * it is asynchronous, so any consumer may see a fact in one region before the other. @default 250
   */
  readonly replicationLagMs?: number;
}

/** What the endpoint did, per region (the two-region demo and benchmark report it). */
export interface EndpointCounts {
  /** Events the endpoint routed to each region's bus, by region. */
  readonly routed: Readonly<Record<string, number>>;
  /** Replicas it delivered to each region's bus, by region. */
  readonly replicated: Readonly<Record<string, number>>;
  /** Failovers and failbacks so far. */
  readonly flips: number;
}

/**
 * A global endpoint on one machine: PutEvents with its EndpointId goes to the primary region's bus while the
 * primary is healthy and to the secondary's otherwise, and every accepted event is replicated to the other bus
 * after a lag. The health flips when told ({@link setPrimaryHealthy}), as the Route 53 health check follows its
 * CloudWatch alarm; AWS takes minutes to fail over (alarm periods, health check interval), here it is immediate.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-global-endpoints.html
 */
export class LocalGlobalEndpoint {
  readonly id: string;
  private healthy = true;
  private readonly pending = new Set<Promise<void>>();
  private readonly routedTo = new Map<string, number>();
  private readonly replicatedTo = new Map<string, number>();
  private flips = 0;

  constructor(private readonly options: LocalGlobalEndpointOptions) {
    this.id = options.id;
    if (options.primary.name !== options.secondary.name) throw new LocalRuntimeError(`a global endpoint's buses share one name, got ${options.primary.name} and ${options.secondary.name}`);
  }

  get eventBusName(): string {
    return this.options.primary.name;
  }

  get primaryHealthy(): boolean {
    return this.healthy;
  }

  /** The bus events go to now. */
  get active(): LocalEventBus {
    return this.healthy ? this.options.primary : this.options.secondary;
  }

  setPrimaryHealthy(healthy: boolean): void {
    if (healthy !== this.healthy) this.flips++;
    this.healthy = healthy;
  }

  /**
   * Sends one entry to the active region with `put` (the server's checks, then the bus), and, once accepted,
   * its replica to the other region. A replica is a new event: AWS documents that event ids can change across
   * regions, which is why consumers correlate on the envelope's idempotency key.
   */
  route(entry: PutEventsEntry, put: (bus: LocalEventBus, entry: PutEventsEntry) => PutEventsResult): PutEventsResult {
    const active = this.active;
    const result = put(active, entry);
    if ('ErrorCode' in result) return result;
    count(this.routedTo, active.region);
    if (this.options.replication !== false) {
      const other = active === this.options.primary ? this.options.secondary : this.options.primary;
      const lag = this.options.replicationLagMs ?? 250;
      const replica = (async () => {
        // Replication is the service's own rule: a replica the other bus refuses (a throttle, an internal
        // failure) is sent again, never dropped.
        for (let attempt = 0; ; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, attempt === 0 ? lag : Math.min(2000, 20 * 2 ** attempt)));
          const [replicated] = other.putEvents([entry]);
          if (replicated && !('ErrorCode' in replicated)) return count(this.replicatedTo, other.region);
        }
      })();
      this.pending.add(replica);
      void replica.finally(() => this.pending.delete(replica));
    }
    return result;
  }

  /** Waits until every replica in flight has reached its bus. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  counts(): EndpointCounts {
    return { routed: Object.fromEntries(this.routedTo), replicated: Object.fromEntries(this.replicatedTo), flips: this.flips };
  }
}

function count(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
