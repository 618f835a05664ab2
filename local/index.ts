// The local runtime's public entry. `matchesPattern` and `validatePattern` keep these names and signatures:
// other tools depend on them.
export { InvalidPatternError, compilePattern, matchesPattern, prepareEvent, validatePattern } from './bus/pattern';
export type { CompiledPattern, PatternInput } from './bus/pattern';
export { RuleIndex } from './bus/rule-index';
export type { IndexedRule } from './bus/rule-index';
export { EventBridgeServer, PUT_EVENTS_QUOTAS } from './bus/event-bridge-server';
export { LocalEventBus } from './bus/local-event-bus';
export type { BusEvent, LocalEventBusOptions, LocalTarget, PutEventsEntry, PutEventsResult } from './bus/local-event-bus';
export { LocalQueue } from './bus/local-queue';
export type { QueueMessage } from './bus/local-queue';
export { localSource, redrive, sqsSource } from './redrive';
export type { DeadLetterSource, RedriveOutcome } from './redrive';
export { LocalSagaRunner } from './saga-runner';
export { startLocal } from './start-local';
export type { LocalEndpoints, LocalSystem, StartLocalOptions } from './start-local';
export type { LocalSagaOptions, SagaExecution, SagaPutEventsEntry } from './saga-runner';
export { EmailSink } from './email-sink';
export type { ReceivedEmail } from './email-sink';
