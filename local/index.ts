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
export type { QueueCounts, QueueMessage, ReceiptResult, ReceivedMessage, VisibilityResult } from './bus/local-queue';
export { SQS_LIMITS, SqsServer, md5OfMessageAttributes } from './sqs-server';
export type { SqsServerOptions } from './sqs-server';
export { FunctionNotFoundError, LambdaService, errorPayload } from './lambda-service';
export type { AsyncInvokeConfig, FunctionErrorPayload, InvocationRecord, LambdaServiceOptions, LocalFunctionOptions } from './lambda-service';
export { LambdaServer } from './lambda-server';
export { describeTarget, listDeadLetters, localSource, redrive, routeDeadLetter, sqsSource } from './redrive';
export type { DeadLetter, DeadLetterSource, RedriveOutcome, RedriveRoute, RedriveTargets } from './redrive';
export { LocalSagaRunner } from './saga-runner';
export { localQueueNames, startLocal } from './start-local';
export type { LocalEndpoints, LocalSystem, StartLocalOptions } from './start-local';
export type { LocalSagaOptions, SagaExecution, SagaPutEventsEntry } from './saga-runner';
export { EmailSink } from './email-sink';
export type { ReceivedEmail } from './email-sink';
