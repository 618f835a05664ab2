import { ConfigValidationError } from '../../../infra/errors';
import { parseStageConfig } from '../../../infra/stage-config';
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
