// The local runtime's public entry. `matchesPattern` and `validatePattern` keep these names and signatures:
// other tools depend on them.
export { InvalidPatternError, compilePattern, matchesPattern, prepareEvent, validatePattern } from './bus/pattern';
export type { CompiledPattern, PatternInput } from './bus/pattern';
export { RuleIndex } from './bus/rule-index';
export type { IndexedRule } from './bus/rule-index';
export { LocalSagaRunner } from './saga-runner';
export type { LocalSagaOptions, SagaExecution, SagaPutEventsEntry } from './saga-runner';
export { EmailSink } from './email-sink';
export type { ReceivedEmail } from './email-sink';
