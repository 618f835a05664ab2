/**
 * What the order API answers before a function runs, declared once: the deployed REST API (infra/order-api.ts)
 * configures API Gateway with it, and the local API (local/http-api.ts) answers with it, so a client meets the same
 * status codes and bodies in both.
 */

/**
 * The content type a request model is mapped to: `$default`, so every body is validated whatever type it names (or
 * none). Mapped to `application/json` alone, a body sent as text/plain would skip validation: "If no matching content
 * type is found, request validation is not performed."
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
 */
export const REQUEST_MODEL_CONTENT_TYPE = '$default';

/**
 * The gateway response to a body that fails the request validator. API Gateway's default says only
 * `{"message": "Invalid request body"}`; this one adds the validator's own messages, so a client learns which field
 * is wrong. A gateway response template is not run through VTL: it can only substitute `$context` variables.
 * `messageString` arrives quoted; `validationErrorString` arrives unquoted, as a bracketed list
 * (`[object has missing required properties (["quantity"])]`) with its inner quotes escaped, hence the quotes here.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html
 */
export const BAD_REQUEST_BODY_RESPONSE = {
  responseType: 'BAD_REQUEST_BODY',
  statusCode: 400,
  contentType: 'application/json',
  template: '{"message":$context.error.messageString,"validationErrors":"$context.error.validationErrorString"}',
  /** `$context.error.message` for a body the validator refused. */
  message: 'Invalid request body',
} as const;

/**
 * What a REST API answers for a method and path it has no resource for: 403 with this body, not 404 (API Gateway
 * treats an unknown route as a request it cannot authenticate).
 * @see https://repost.aws/knowledge-center/api-gateway-authentication-token-errors
 */
export const MISSING_ROUTE_RESPONSE = { statusCode: 403, body: { message: 'Missing Authentication Token' } } as const;

/**
 * The largest body the order API accepts. API Gateway's own limit is 10 MB and cannot be changed; the lower limit
 * is enforced by an AWS WAF size rule in front of the stage, which inspects the first 16 KB of a body by default and
 * treats a larger body as matching (oversize handling MATCH), so the limit must stay within those 16 KB.
 * An order is about 100 bytes.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-oversize-handling.html
 */
export const API_BODY_LIMITS = {
  /** @default the order API's limit; a stage may lower or raise it within `wafInspectionBytes`. */
  maxBodyBytes: 8 * 1024,
  /** What WAF inspects of a body behind API Gateway without paying for more. */
  wafInspectionBytes: 16 * 1024,
  /** API Gateway's fixed payload quota. */
  gatewayMaxBytes: 10 * 1024 * 1024,
} as const;

/** The answer to a body over the limit: WAF's custom block response, as the stage configures it. */
export function bodyTooLargeResponse(maxBodyBytes: number): { readonly statusCode: 413; readonly body: { readonly message: string } } {
  return { statusCode: 413, body: { message: `Request body too large: at most ${maxBodyBytes} bytes` } };
}
