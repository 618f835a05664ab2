import { ConfigValidationError } from '../../../infra/errors';
import { DELIVERY_PROVIDER_SECRET_KEYS, SECRET_CONFIG_KEYS, parseStageConfig, stageSettings } from '../../../infra/stage-config';
import { thrownBy } from '../../helpers/thrown';

const valid = {
  stage: 'dev',
  accountId: '111111111111',
  deliveryProvider: { endpoint: 'https://delivery.example.com/v1', rateLimitPerSecond: 10 },
  notifications: { senderEmail: 'orders@example.com' },
};

function errorOf(raw: Record<string, unknown>, region = 'eu-west-1'): ConfigValidationError {
  return thrownBy(() => parseStageConfig(raw, region, 'Pulumi.dev.yaml'), ConfigValidationError);
}

describe('parseStageConfig', () => {
  it('pins every default', () => {
    expect(parseStageConfig(valid, 'eu-west-1')).toEqual({
      region: 'eu-west-1',
      stage: 'dev',
      accountId: '111111111111',
      publishers: { accountIds: ['111111111111'] },
      archiveRetentionDays: 30,
      logRetentionDays: 14,
      lambdaRuntime: 'nodejs22.x',
      sagaType: 'STANDARD',
      deliveryProvider: { endpoint: 'https://delivery.example.com/v1', httpMethod: 'POST', rateLimitPerSecond: 10, authorization: 'API_KEY', apiKeyName: 'x-api-key' },
      senderEmail: 'orders@example.com',
    });
  });

  it('names the key, the allowed values and what it got, for every bad key at once', () => {
    const error = errorOf({
      ...valid,
      accountId: '1234',
      sagaType: 'FAST',
      lambdaRuntime: 'nodejs18.x',
      deliveryProvider: { endpoint: 'http://plain', rateLimitPerSecond: 500 },
      globalEndpoint: { enabled: true },
    });

    expect(error.message.split('\n')).toEqual(
      expect.arrayContaining([
        `Pulumi.dev.yaml: 'eventflow:accountId' must be a 12-digit account id, got "1234"`,
        `Pulumi.dev.yaml: 'eventflow:sagaType' must be one of STANDARD, EXPRESS, got "FAST"`,
        `Pulumi.dev.yaml: 'eventflow:lambdaRuntime' must be nodejs22.x or newer, got "nodejs18.x"`,
        `Pulumi.dev.yaml: 'eventflow:deliveryProvider.endpoint' must be an https:// URL, got "http://plain"`,
        `Pulumi.dev.yaml: 'eventflow:deliveryProvider.rateLimitPerSecond' must be an integer between 1 and 300, got 500`,
        `Pulumi.dev.yaml: 'eventflow:globalEndpoint.secondaryRegion' is required when the global endpoint is enabled`,
      ]),
    );
  });

  it('rejects a secondary region equal to the primary, and accounts and an organization together', () => {
    const error = errorOf({ ...valid, globalEndpoint: JSON.stringify({ secondaryRegion: 'eu-west-1' }), allowedAccountIds: ['111111111111'], organizationId: 'o-abcdefghij' });

    expect(error.message).toContain(`'eventflow:globalEndpoint.secondaryRegion' must differ from aws:region (eu-west-1)`);
    expect(error.message).toContain(`only one of 'eventflow:allowedAccountIds' or 'eventflow:organizationId' may be set`);
  });

  it('accepts Pulumi’s string form of objects and numbers', () => {
    const config = parseStageConfig(
      { ...valid, archiveRetentionDays: '90', deliveryProvider: JSON.stringify(valid.deliveryProvider), allowedAccountIds: '["111111111111","222222222222"]' },
      'eu-west-1',
    );

    expect(config).toMatchObject({ archiveRetentionDays: 90, publishers: { accountIds: ['111111111111', '222222222222'] }, deliveryProvider: { rateLimitPerSecond: 10 } });
  });
});

describe('parseStageConfig › delivery provider authorization', () => {
  // Limits from https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateConnection.html and the pages of
  // its OAuth and Basic parameters (AuthorizationEndpoint 1–2048, ClientID and Username 1–512 without ':').
  const endpoint = 'https://delivery.example.com/v1';
  const oauth = { tokenEndpoint: 'https://auth.delivery.example.com/oauth2/token', clientId: 'eventflow-dev', scopes: ['deliveries/write', 'deliveries/read'] };
  const withDelivery = (settings: Record<string, unknown>) => ({ ...valid, deliveryProvider: { endpoint, rateLimitPerSecond: 10, ...settings } });
  const problemsOf = (settings: Record<string, unknown>, setKeys?: readonly string[]) =>
    thrownBy(() => parseStageConfig(withDelivery(settings), 'eu-west-1', 'Pulumi.dev.yaml', setKeys), ConfigValidationError).problems.map((p) => `'${p.property}' ${p.message}`);
  const rule = "a string of 1 to 512 characters, not blank, without ':' or control characters";

  describe('secret keys', () => {
    it('lists one secret per authorization type for the policy pack, and keeps every one out of the plain settings', () => {
      // Act
      const settings = stageSettings({ 'eventflow:stage': 'dev', 'eventflow:deliveryProviderApiKey': 'k', 'eventflow:deliveryProviderPassword': 'p', 'eventflow:deliveryProviderClientSecret': 's' });

      // Assert
      expect(DELIVERY_PROVIDER_SECRET_KEYS).toEqual({ API_KEY: 'deliveryProviderApiKey', BASIC: 'deliveryProviderPassword', OAUTH_CLIENT_CREDENTIALS: 'deliveryProviderClientSecret' });
      expect([...SECRET_CONFIG_KEYS].sort()).toEqual(['eventflow:deliveryProviderApiKey', 'eventflow:deliveryProviderClientSecret', 'eventflow:deliveryProviderPassword']);
      expect(settings).toEqual({ stage: 'dev' });
    });

    it.each([
      ['API_KEY', {}, 'eventflow:deliveryProviderApiKey'],
      ['BASIC', { basic: { username: 'eventflow' } }, 'eventflow:deliveryProviderPassword'],
      ['OAUTH_CLIENT_CREDENTIALS', { oauth }, 'eventflow:deliveryProviderClientSecret'],
    ])('requires the secret of %s when told which keys are set, and no other', (authorization, settings, secret) => {
      // Arrange: every other type's secret is set, this one's is not.
      const others = SECRET_CONFIG_KEYS.filter((key) => key !== secret);

      // Act
      const problems = problemsOf({ authorization, ...settings }, others);

      // Assert
      expect(problems).toEqual([`'${secret}' is required with authorization ${authorization}: set it as a secret with \`pulumi config set --secret ${secret} <value>\``]);
      expect(() => parseStageConfig(withDelivery({ authorization, ...settings }), 'eu-west-1', 'Pulumi.dev.yaml', [secret])).not.toThrow();
    });
  });

  describe('API_KEY', () => {
    it('takes the header name, x-api-key by default', () => {
      expect(parseStageConfig(withDelivery({ authorization: 'API_KEY', apiKeyName: 'X-Delivery-Key' }), 'eu-west-1').deliveryProvider).toEqual({
        endpoint,
        httpMethod: 'POST',
        rateLimitPerSecond: 10,
        authorization: 'API_KEY',
        apiKeyName: 'X-Delivery-Key',
      });
    });

    it('rejects a header name that is no HTTP header name, and the settings of the other types', () => {
      expect(problemsOf({ authorization: 'API_KEY', apiKeyName: 'x api key', basic: { username: 'u' }, oauth })).toEqual([
        `'eventflow:deliveryProvider.basic' must not be set with authorization API_KEY: it configures BASIC`,
        `'eventflow:deliveryProvider.oauth' must not be set with authorization API_KEY: it configures OAUTH_CLIENT_CREDENTIALS`,
        `'eventflow:deliveryProvider.apiKeyName' must be an HTTP header name of 1 to 128 letters, digits, - or _, got "x api key"`,
      ]);
    });
  });

  describe('BASIC', () => {
    it('takes the user name, and nothing of the other types', () => {
      // Act
      const delivery = parseStageConfig(withDelivery({ authorization: 'BASIC', basic: { username: 'eventflow dev' } }), 'eu-west-1').deliveryProvider;

      // Assert
      expect(delivery).toEqual({ endpoint, httpMethod: 'POST', rateLimitPerSecond: 10, authorization: 'BASIC', basic: { username: 'eventflow dev' } });
    });

    it('names the user name when it is missing, whether basic is absent or empty', () => {
      const missing = `'eventflow:deliveryProvider.basic.username' is required with authorization BASIC: a user name: ${rule}`;

      expect(problemsOf({ authorization: 'BASIC' })).toEqual([missing]);
      expect(problemsOf({ authorization: 'BASIC', basic: {} })).toEqual([missing]);
    });

    it.each([
      ['that is a number', 42, '42'],
      ['that is empty', '', '""'],
      ['that is blank', '   ', '"   "'],
      ["with ':' (it separates user and password)", 'user:name', '"user:name"'],
      ['with a control character', 'user\nname', '"user\\nname"'],
      ['of 513 characters', 'u'.repeat(513), JSON.stringify('u'.repeat(513))],
    ])('rejects a user name %s', (_, username, shown) => {
      expect(problemsOf({ authorization: 'BASIC', basic: { username } })).toEqual([`'eventflow:deliveryProvider.basic.username' must be a user name: ${rule}, got ${shown}`]);
    });

    it('accepts a user name of exactly 512 characters', () => {
      expect(() => parseStageConfig(withDelivery({ authorization: 'BASIC', basic: { username: 'u'.repeat(512) } }), 'eu-west-1')).not.toThrow();
    });

    it('rejects the settings of the other types, and a password written in plain text without quoting it', () => {
      // Act
      const problems = problemsOf({ authorization: 'BASIC', apiKeyName: 'x-api-key', oauth, basic: { username: 'eventflow', password: 'plain-text-password' } });

      // Assert
      expect(problems).toEqual([
        `'eventflow:deliveryProvider.apiKeyName' must not be set with authorization BASIC: it configures API_KEY`,
        `'eventflow:deliveryProvider.oauth' must not be set with authorization BASIC: it configures OAUTH_CLIENT_CREDENTIALS`,
        `'eventflow:deliveryProvider.basic.password' is not a setting of basic, which takes username; a credential does not belong among the plain settings: set it as a secret with \`pulumi config set --secret eventflow:deliveryProviderPassword <value>\``,
      ]);
      expect(problems.join('\n')).not.toContain('plain-text-password');
    });

    it('rejects basic given as anything but an object, stating its type rather than its value', () => {
      expect(problemsOf({ authorization: 'BASIC', basic: 'eventflow:hunter2' })).toEqual([
        `'eventflow:deliveryProvider.basic' must be an object with username, got a string`,
        `'eventflow:deliveryProvider.basic.username' is required with authorization BASIC: a user name: ${rule}`,
      ]);
    });
  });

  describe('OAUTH_CLIENT_CREDENTIALS', () => {
    it('takes the token endpoint, client id, scopes and token method', () => {
      // Act
      const delivery = parseStageConfig(withDelivery({ authorization: 'OAUTH_CLIENT_CREDENTIALS', oauth: { ...oauth, httpMethod: 'GET' } }), 'eu-west-1').deliveryProvider;

      // Assert
      expect(delivery).toEqual({ endpoint, httpMethod: 'POST', rateLimitPerSecond: 10, authorization: 'OAUTH_CLIENT_CREDENTIALS', oauth: { ...oauth, httpMethod: 'GET' } });
    });

    it('pins its defaults: the token requested with POST, no scope', () => {
      const delivery = parseStageConfig(withDelivery({ authorization: 'OAUTH_CLIENT_CREDENTIALS', oauth: { tokenEndpoint: oauth.tokenEndpoint, clientId: 'c' } }), 'eu-west-1').deliveryProvider;

      expect(delivery).toMatchObject({ oauth: { tokenEndpoint: oauth.tokenEndpoint, clientId: 'c', scopes: [], httpMethod: 'POST' } });
    });

    it('names every missing key at once', () => {
      expect(problemsOf({ authorization: 'OAUTH_CLIENT_CREDENTIALS' })).toEqual([
        `'eventflow:deliveryProvider.oauth.tokenEndpoint' is required with authorization OAUTH_CLIENT_CREDENTIALS: an https:// URL of at most 2048 characters, URL characters only`,
        `'eventflow:deliveryProvider.oauth.clientId' is required with authorization OAUTH_CLIENT_CREDENTIALS: a client id: ${rule}`,
      ]);
    });

    it('rejects values of the wrong type or outside what CreateConnection accepts', () => {
      // Act
      const problems = problemsOf({ authorization: 'OAUTH_CLIENT_CREDENTIALS', oauth: { tokenEndpoint: oauth.tokenEndpoint, clientId: 7, scopes: 'deliveries/write', httpMethod: 'PATCH' } });

      // Assert
      expect(problems).toEqual([
        `'eventflow:deliveryProvider.oauth.httpMethod' must be one of GET, POST, PUT, got "PATCH"`,
        `'eventflow:deliveryProvider.oauth.scopes' must be a list of OAuth scopes, each printable ASCII without spaces, quotes or backslashes, got "deliveries/write"`,
        `'eventflow:deliveryProvider.oauth.clientId' must be a client id: ${rule}, got 7`,
      ]);
    });

    it.each([['deliveries write'], ['quote"d'], [3]])('rejects the scope %j', (scope) => {
      expect(problemsOf({ authorization: 'OAUTH_CLIENT_CREDENTIALS', oauth: { ...oauth, scopes: [scope] } })).toEqual([
        `'eventflow:deliveryProvider.oauth.scopes' must be a list of OAuth scopes, each printable ASCII without spaces, quotes or backslashes, got ${JSON.stringify([scope])}`,
      ]);
    });

    it('limits the joined scopes to 512 characters only when they travel in the query string (GET)', () => {
      // Arrange: 52 scopes of 9 characters join to 519.
      const scopes = Array.from({ length: 52 }, (_, i) => `scope${String(i).padStart(4, '0')}`);

      // Act
      const withGet = problemsOf({ authorization: 'OAUTH_CLIENT_CREDENTIALS', oauth: { ...oauth, scopes, httpMethod: 'GET' } });

      // Assert
      expect(withGet).toEqual([`'eventflow:deliveryProvider.oauth.scopes' must join to at most 512 characters when the token endpoint is called with GET (a query string value), got 519`]);
      expect(() => parseStageConfig(withDelivery({ authorization: 'OAUTH_CLIENT_CREDENTIALS', oauth: { ...oauth, scopes } }), 'eu-west-1')).not.toThrow();
    });

    it.each([
      ['plain http', 'http://auth.delivery.example.com/token'],
      ['no URL', 'auth.delivery.example.com/token'],
      ['a space', 'https://auth.delivery.example.com/oauth2 token'],
      ['more than 2048 characters', `https://auth.delivery.example.com/${'t'.repeat(2015)}`],
    ])('rejects a token endpoint with %s', (_, tokenEndpoint) => {
      expect(problemsOf({ authorization: 'OAUTH_CLIENT_CREDENTIALS', oauth: { ...oauth, tokenEndpoint } })).toEqual([
        `'eventflow:deliveryProvider.oauth.tokenEndpoint' must be an https:// URL of at most 2048 characters, URL characters only, got ${JSON.stringify(tokenEndpoint)}`,
      ]);
    });

    it('accepts a token endpoint of exactly 2048 characters', () => {
      const tokenEndpoint = `https://auth.delivery.example.com/${'t'.repeat(2014)}`;

      expect(tokenEndpoint).toHaveLength(2048);
      expect(() => parseStageConfig(withDelivery({ authorization: 'OAUTH_CLIENT_CREDENTIALS', oauth: { ...oauth, tokenEndpoint } }), 'eu-west-1')).not.toThrow();
    });

    it('rejects the settings of the other types, unknown keys, and a client secret written in plain text without quoting it', () => {
      // Act
      const problems = problemsOf({
        authorization: 'OAUTH_CLIENT_CREDENTIALS',
        apiKeyName: 'x-api-key',
        basic: { username: 'u' },
        oauth: { ...oauth, tokenEndPoint: 'x', clientSecret: 'plain-client-secret' },
      });

      // Assert
      const takes = 'is not a setting of oauth, which takes tokenEndpoint, clientId, scopes, httpMethod';
      expect(problems).toEqual([
        `'eventflow:deliveryProvider.apiKeyName' must not be set with authorization OAUTH_CLIENT_CREDENTIALS: it configures API_KEY`,
        `'eventflow:deliveryProvider.basic' must not be set with authorization OAUTH_CLIENT_CREDENTIALS: it configures BASIC`,
        `'eventflow:deliveryProvider.oauth.tokenEndPoint' ${takes}`,
        `'eventflow:deliveryProvider.oauth.clientSecret' ${takes}; a credential does not belong among the plain settings: set it as a secret with \`pulumi config set --secret eventflow:deliveryProviderClientSecret <value>\``,
      ]);
      expect(problems.join('\n')).not.toContain('plain-client-secret');
    });
  });

  it('rejects an unknown authorization type and an unknown key of the delivery provider', () => {
    expect(problemsOf({ authorization: 'DIGEST', apiKey: 'k3y' })).toEqual([
      `'eventflow:deliveryProvider.authorization' must be one of API_KEY, BASIC, OAUTH_CLIENT_CREDENTIALS, got "DIGEST"`,
      `'eventflow:deliveryProvider.apiKey' is not a setting of the delivery provider, which takes endpoint, httpMethod, rateLimitPerSecond, authorization, apiKeyName, basic, oauth; a credential does not belong among the plain settings: set it as a secret with \`pulumi config set --secret eventflow:deliveryProviderApiKey <value>\``,
    ]);
  });
});
