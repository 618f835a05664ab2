/**
 * Configuration every AWS SDK client of the functions shares.
 *
 * `cacheMiddleware`: without it the SDK rebuilds and sorts a command's middleware stack on every `send`
 * (the SDK documents up to 1 ms per request). These clients never change their middleware after the first
 * request (Powertools adds its user agent when a persistence layer is made, and the tracer its X-Ray middleware
 * when `tracedClient` wraps the client, both before any request), so the resolved stack is cached per command
 * class: less CPU per invocation in Lambda, and locally.
 */
export const SDK_CLIENT_DEFAULTS = { cacheMiddleware: true } as const;
