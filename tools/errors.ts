import { EventflowError } from '../model/errors';

/** The base revision cannot be read, so the gate cannot vouch for anything: it fails closed. */
export class GateBaseError extends EventflowError {}
