import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import { IDEMPOTENCY_TABLE } from '../../model/tables';
import { CONSUMER_DEFAULTS } from './consume';
import { tableName } from './env';
import { sharedDynamo } from './runtime';

/**
 * An outside effect that takes no idempotency key of its own (SES SendEmail), made once per key and recorded as
 * soon as it returns, apart from the handler around it. A handler that fails after the effect (its fact could not
 * be published) is retried without repeating the effect: the retry gets the recorded result. What stays open is
 * the gap between the provider accepting the effect and the record being written (one DynamoDB write): a crash
 * exactly there repeats it, and only a provider that deduplicates (an Idempotency-Key, as card processors take)
 * can close that.
 */
export function effectOnce<TResult>(name: string): (key: string, effect: () => Promise<TResult>, lambdaContext?: Context) => Promise<TResult> {
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'key', throwOnNoIdempotencyKey: true, expiresAfterSeconds: CONSUMER_DEFAULTS.expiresAfterSeconds });
  // The record is keyed on `key` alone; the effect travels beside it and is never stored.
  const once = makeIdempotent((input: { readonly key: string; readonly effect: () => Promise<TResult> }) => input.effect(), {
    persistenceStore: new DynamoDBPersistenceLayer({ tableName: tableName(IDEMPOTENCY_TABLE), awsSdkV3Client: sharedDynamo().client }),
    config,
    keyPrefix: `${name}.effect`,
  });
  return (key, effect, lambdaContext) => {
    // Outside a handler Powertools learns the invocation's remaining time only this way; without it an
    // in-progress record left by a crash would never expire, and the effect could never be retried.
    if (lambdaContext) config.registerLambdaContext(lambdaContext);
    return once({ key, effect });
  };
}
