/**
 * What EventBridge's CreateConnection accepts for a connection's credentials. The stage configuration and the
 * ApiDestination component both check them, because CreateConnection would only reject a bad value at `pulumi up`,
 * after preview said yes. Loads nothing, so the policy pack and the docs tool can read the stage configuration cheaply.
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateConnection.html
 */

/**
 * The methods EventBridge can call an OAuth token endpoint with (`HttpMethod`).
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateConnectionOAuthRequestParameters.html
 */
export const OAUTH_TOKEN_METHODS = ['GET', 'POST', 'PUT'] as const;
export type OAuthTokenMethod = (typeof OAUTH_TOKEN_METHODS)[number];

/** Whether EventBridge can call a token endpoint with this method. */
export function isOAuthTokenMethod(value: unknown): value is OAuthTokenMethod {
  return typeof value === 'string' && (OAUTH_TOKEN_METHODS as readonly string[]).includes(value);
}

/**
 * `AuthorizationEndpoint`: 1 to 2048 characters, URL characters only (AWS's pattern, with `\x26` written as `&`).
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateConnectionOAuthRequestParameters.html
 */
const TOKEN_ENDPOINT_MAX_LENGTH = 2048;
const AUTHORIZATION_ENDPOINT_PATTERN = /^((%[0-9A-Fa-f]{2}|[-()_.!~*';/?:@&=+$,A-Za-z0-9])+)([).!';/?:,])?$/;

/** The rule, as messages state it: `must be <TOKEN_ENDPOINT_RULE>, got "http://x"`. */
export const TOKEN_ENDPOINT_RULE = `an https:// URL of at most ${TOKEN_ENDPOINT_MAX_LENGTH} characters, URL characters only`;

/** Whether CreateConnection accepts this as a token endpoint; plain http is refused too, since the client secret travels to it. */
export function isTokenEndpoint(value: unknown): value is string {
  return typeof value === 'string' && value.length <= TOKEN_ENDPOINT_MAX_LENGTH && /^https:\/\/[^\s/]+/.test(value) && AUTHORIZATION_ENDPOINT_PATTERN.test(value);
}

/**
 * `ClientID`, `Username` (and the secrets `ClientSecret`, `Password`): 1 to 512 characters, none of them a control
 * character other than tab, nor `:`, and not blank.
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateConnectionOAuthClientRequestParameters.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateConnectionBasicAuthRequestParameters.html
 */
const CREDENTIAL_MAX_LENGTH = 512;

/** The rule, as messages state it. */
export const CREDENTIAL_RULE = `a string of 1 to ${CREDENTIAL_MAX_LENGTH} characters, not blank, without ':' or control characters`;

/**
 * Whether CreateConnection accepts this as a client id or user name. Written as a loop rather than AWS's regular
 * expression, whose control-character ranges the linter (rightly) flags in a literal.
 */
export function isCredentialText(value: unknown): value is string {
  if (typeof value !== 'string' || value.length < 1 || value.length > CREDENTIAL_MAX_LENGTH || value.trim() === '') return false;
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (char === ':' || code === 0x7f || (code < 0x20 && char !== '\t')) return false;
  }
  return true;
}

/**
 * An OAuth scope token: printable ASCII without space, `"` or `\`; a scope list goes to the token endpoint as one
 * space-separated `scope` parameter.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-3.3
 */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * A query string parameter's value is at most 512 characters: the limit on the joined `scope` when the token
 * endpoint is called with GET. A body parameter's value has no documented limit.
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ConnectionQueryStringParameter.html
 */
export const QUERY_STRING_VALUE_MAX_LENGTH = 512;

/** The rule, as messages state it. */
export const SCOPES_RULE = 'a list of OAuth scopes, each printable ASCII without spaces, quotes or backslashes';

/** What is wrong with a scope list, as `must be …, got …`; undefined when EventBridge and the token endpoint accept it. */
export function scopesProblem(scopes: unknown, tokenMethod: OAuthTokenMethod): string | undefined {
  if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== 'string' || !SCOPE_TOKEN.test(scope))) return `must be ${SCOPES_RULE}, got ${JSON.stringify(scopes)}`;
  const joined = scopes.join(' ');
  if (tokenMethod === 'GET' && joined.length > QUERY_STRING_VALUE_MAX_LENGTH)
    return `must join to at most ${QUERY_STRING_VALUE_MAX_LENGTH} characters when the token endpoint is called with GET (a query string value), got ${joined.length}`;
  return undefined;
}
