import { EventflowError } from '../model/errors';
import { LOG_RETENTION_RULE, isLogRetentionDays } from '../model/limits';

/** A component's arguments or the stage configuration break a documented limit; names the resource and the property. */
export class ConfigValidationError extends EventflowError {
  constructor(readonly problems: ReadonlyArray<{ readonly resource: string; readonly property: string; readonly message: string }>) {
    super(problems.map((p) => `${p.resource}: '${p.property}' ${p.message}`).join('\n'));
  }
}

/** Collects validation problems, then throws them all at once. */
/**
 * The program cannot be built as declared: a component was handed something its own wiring contradicts (a function
 * with no bundle, a saga task with no function, mocks that lost a resource). A defect of the program, not of the
 * stage's configuration (that is ConfigValidationError).
 */
export class InfraDefinitionError extends EventflowError {}

export class ProblemList {
  private readonly problems: Array<{ resource: string; property: string; message: string }> = [];

  constructor(private readonly resource: string) {}

  add(property: string, message: string): void {
    this.problems.push({ resource: this.resource, property, message });
  }

  /** Checks an optional plain number against an inclusive range (Outputs are not checked here). */
  range(property: string, value: unknown, min: number, max: number, integer = true): void {
    if (value === undefined || typeof value === 'object') return;
    if (typeof value !== 'number' || Number.isNaN(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
      this.add(property, `must be ${integer ? 'an integer ' : ''}between ${min} and ${max}, got ${JSON.stringify(value)}`);
    }
  }

  /**
   * Checks an optional plain log retention: first the range (1–3653), then the exact values CloudWatch Logs
   * accepts, since a value inside the range such as 10 still fails at deployment.
   */
  logRetention(property: string, value: unknown): void {
    if (value === undefined || typeof value === 'object') return;
    const before = this.problems.length;
    this.range(property, value, 1, 3653);
    if (this.problems.length === before && !isLogRetentionDays(value)) this.add(property, `must be ${LOG_RETENTION_RULE}, got ${JSON.stringify(value)}`);
  }

  throwIfAny(): void {
    if (this.problems.length > 0) throw new ConfigValidationError(this.problems);
  }
}
