/**
 * Root of every error eventflow throws, so callers can tell ours from the SDK's and from their own.
 * `name` follows the concrete class, so logs and DLQ records say which problem it was.
 */
export class EventflowError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem found while loading the event catalog or the application model, with where it was found. */
export interface ModelProblem {
  /** Where the problem is: a catalog file path or a model path such as `services.inventory.actions.ReserveItem`. */
  readonly where: string;
  readonly problem: string;
}

/** The event catalog on disk is malformed: a file name, a schema or a lifecycle annotation is wrong. */
export class CatalogError extends EventflowError {
  constructor(readonly problems: readonly ModelProblem[]) {
    super(formatProblems('event catalog', problems));
  }
}

/** The application model contradicts itself or the catalog. Every problem is listed, not just the first. */
export class ModelValidationError extends EventflowError {
  constructor(readonly problems: readonly ModelProblem[]) {
    super(formatProblems('application model', problems));
  }
}

function formatProblems(subject: string, problems: readonly ModelProblem[]): string {
  const lines = problems.map((p) => `  - ${p.where}: ${p.problem}`);
  return `The ${subject} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
}

/** A placement AWS could not hold: a stage name that makes invalid resource names, a malformed region or account. */
export class PlacementError extends EventflowError {}
