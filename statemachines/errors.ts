import { EventflowError } from '../model/errors';

/** A placeholder could not be filled, or the definition contradicts the model. */
export class SagaDefinitionError extends EventflowError {}
