/**
 * The delivery provider's authorization, from the stage configuration to the EventBridge connection, per type. What
 * CreateConnection takes: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateConnection.html and
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateConnectionOAuthRequestParameters.html (the
 * token endpoint as AuthorizationEndpoint, HttpMethod GET | POST | PUT, extra token-request parameters such as
 * `scope` in OAuthHttpParameters).
 */
import type { RecordedResource } from '../../../infra/synth/mocks';
import type { SynthResult } from '../../../infra/synth/synthesize';
import type * as Component from '../../../infra/api-destination';

const CONNECTION = 'aws:cloudwatch/eventConnection:EventConnection';
const DESTINATION = 'aws:cloudwatch/eventApiDestination:EventApiDestination';
const ENDPOINT = 'https://delivery.example.com/v1/deliveries';

/** A distinct value per secret, so a test can tell which one the program read. */
const SECRETS = {
  'eventflow:deliveryProviderApiKey': 'auth-test-api-key-value',
  'eventflow:deliveryProviderPassword': 'auth-test-password-value',
  'eventflow:deliveryProviderClientSecret': 'auth-test-client-secret-value',
};

/** The dev stage with another delivery authorization, evaluated in a fresh Pulumi runtime (one per stack evaluated). */
async function synthesizeWith(deliveryProvider: Record<string, unknown>, secrets: Record<string, string | undefined>): Promise<SynthResult> {
  let result: SynthResult | undefined;
  await jest.isolateModulesAsync(async () => {
    const { synthesizeShared } = await import('../../helpers/synth-cache');
    result = await synthesizeShared('dev', { 'eventflow:deliveryProvider': JSON.stringify({ endpoint: ENDPOINT, rateLimitPerSecond: 10, ...deliveryProvider }), ...secrets }, { stackTraces: false });
  });
  if (!result) throw new Error('the stack was not evaluated');
  return result;
}

const connectionsOf = (result: SynthResult): RecordedResource[] => result.resources.filter((r) => r.type === CONNECTION);
/** Whether the input at `path` was handed to Pulumi as a secret (itself or an object holding it). */
const isSecretAt = (resource: RecordedResource, path: string) => resource.secretInputs.some((secret) => path === secret || path.startsWith(`${secret}.`));

describe('ApiDestination authorization', () => {
  describe('a stage with OAUTH_CLIENT_CREDENTIALS, synthesized', () => {
    const oauth = { tokenEndpoint: 'https://auth.delivery.example.com/oauth2/token', clientId: 'eventflow-dev-client', scopes: ['deliveries/write', 'deliveries/read'] };
    let result: SynthResult;
    beforeAll(async () => {
      // Arrange: no API key set, so the program must not ask for one.
      result = await synthesizeWith({ authorization: 'OAUTH_CLIENT_CREDENTIALS', oauth }, { ...SECRETS, 'eventflow:deliveryProviderApiKey': undefined });
    }, 60_000);

    it('gives the connection the configured token endpoint, client id and token method', () => {
      const connections = connectionsOf(result);

      expect(connections.length).toBeGreaterThan(0);
      for (const connection of connections) {
        expect(connection.inputs).toMatchObject({
          authorizationType: 'OAUTH_CLIENT_CREDENTIALS',
          authParameters: { oauth: { authorizationEndpoint: oauth.tokenEndpoint, httpMethod: 'POST', clientParameters: { clientId: oauth.clientId } } },
        });
        expect(connection.inputs.authParameters).not.toHaveProperty('apiKey');
        expect(connection.inputs.authParameters).not.toHaveProperty('basic');
      }
    });

    it('passes the client secret from its own config key, as a secret', () => {
      for (const connection of connectionsOf(result)) {
        expect(connection.inputs).toMatchObject({ authParameters: { oauth: { clientParameters: { clientSecret: SECRETS['eventflow:deliveryProviderClientSecret'] } } } });
        expect(isSecretAt(connection, 'authParameters.oauth.clientParameters.clientSecret')).toBe(true);
      }
    });

    it('asks for the scopes in the token request body, space-separated', () => {
      for (const connection of connectionsOf(result)) {
        expect(connection.inputs).toMatchObject({
          authParameters: { oauth: { oauthHttpParameters: { bodies: [{ key: 'scope', value: 'deliveries/write deliveries/read', isValueSecret: false }] } } },
        });
      }
    });

    it('still delivers to the provider’s endpoint, not to the token endpoint', () => {
      const destinations = result.resources.filter((r) => r.type === DESTINATION);

      expect(destinations.length).toBeGreaterThan(0);
      for (const destination of destinations) expect(destination.inputs).toMatchObject({ invocationEndpoint: ENDPOINT, httpMethod: 'POST' });
    });
  });

  describe('a stage with BASIC, synthesized', () => {
    let result: SynthResult;
    beforeAll(async () => {
      result = await synthesizeWith({ authorization: 'BASIC', basic: { username: 'eventflow-dev' } }, { ...SECRETS, 'eventflow:deliveryProviderApiKey': undefined });
    }, 60_000);

    it('gives the connection the configured user name and the password from its own config key, as a secret', () => {
      const connections = connectionsOf(result);

      expect(connections.length).toBeGreaterThan(0);
      for (const connection of connections) {
        expect(connection.inputs).toMatchObject({ authorizationType: 'BASIC', authParameters: { basic: { username: 'eventflow-dev', password: SECRETS['eventflow:deliveryProviderPassword'] } } });
        expect(connection.inputs.authParameters).not.toHaveProperty('oauth');
        expect(isSecretAt(connection, 'authParameters.basic.password')).toBe(true);
      }
    });
  });

  describe('the connection component', () => {
    let infra: typeof Component;
    let pulumi: typeof import('@pulumi/pulumi');
    let resources: RecordedResource[];
    beforeAll(async () => {
      await jest.isolateModulesAsync(async () => {
        const mocks = await import('../../helpers/pulumi-mocks');
        ({ resources, pulumi } = await mocks.installMocks());
        infra = await import('../../../infra/api-destination');
      });
    });
    const args = (auth: Component.ConnectionAuth): Component.ApiDestinationArgs => ({
      eventBusName: 'bus',
      destinationName: 'delivery-provider',
      endpoint: ENDPOINT,
      rateLimitPerSecond: 10,
      auth,
      pattern: { source: ['eventflow.delivery'] },
      ruleName: 'to-delivery-provider',
    });
    const oauth = (extra: Partial<Extract<Component.ConnectionAuth, { type: 'OAUTH_CLIENT_CREDENTIALS' }>> = {}): Component.ConnectionAuth => ({
      type: 'OAUTH_CLIENT_CREDENTIALS',
      authorizationEndpoint: 'https://auth.delivery.example.com/oauth2/token',
      clientId: 'client',
      clientSecret: pulumi.secret('s'),
      ...extra,
    });

    it('sends the scopes in the query string when the token endpoint is called with GET, and no scope when there is none', async () => {
      // Act
      const withGet = new infra.ApiDestination('with-get', args(oauth({ httpMethod: 'GET', scopes: ['deliveries/write'] })));
      const without = new infra.ApiDestination('without-scope', args(oauth()));
      await Promise.all([withGet.connectionArn, without.connectionArn].map((arn) => new Promise((resolve) => arn.apply(resolve))));

      // Assert
      const connection = (name: string) => resources.find((r) => r.type === CONNECTION && r.name === `${name}-connection`)?.inputs;
      expect(connection('with-get')).toMatchObject({ authParameters: { oauth: { httpMethod: 'GET', oauthHttpParameters: { queryStrings: [{ key: 'scope', value: 'deliveries/write' }] } } } });
      expect(connection('with-get')).not.toHaveProperty('authParameters.oauth.oauthHttpParameters.bodies');
      expect(connection('without-scope')).toMatchObject({ authParameters: { oauth: { httpMethod: 'POST', oauthHttpParameters: {} } } });
      expect(connection('without-scope')).not.toHaveProperty('authParameters.oauth.oauthHttpParameters.bodies');
    });

    it('pins the OAuth defaults', () => {
      expect(infra.OAUTH_DEFAULTS).toEqual({ httpMethod: 'POST', scopes: [] });
    });

    it('rejects, listing every problem, what CreateConnection would refuse at deployment', () => {
      // Act
      const validate = () => infra.validateApiDestinationArgs('d', args(oauth({ authorizationEndpoint: 'http://auth.example.com/token', clientId: 'client:id', scopes: ['two words'] })));

      // Assert
      expect(validate).toThrow(
        [
          `ApiDestination "d": 'auth.authorizationEndpoint' must be an https:// URL of at most 2048 characters, URL characters only, got "http://auth.example.com/token"`,
          `ApiDestination "d": 'auth.clientId' must be a string of 1 to 512 characters, not blank, without ':' or control characters, got "client:id"`,
          `ApiDestination "d": 'auth.scopes' must be a list of OAuth scopes, each printable ASCII without spaces, quotes or backslashes, got ["two words"]`,
        ].join('\n'),
      );
      expect(() => infra.validateApiDestinationArgs('d', args({ type: 'BASIC', username: ' ', password: pulumi.secret('p') }))).toThrow(
        `ApiDestination "d": 'auth.username' must be a string of 1 to 512 characters, not blank, without ':' or control characters, got " "`,
      );
    });
  });
});
