import { synthesize } from '../../../infra/synth/synthesize';

describe('the stack with bad configuration', () => {
  it('fails at preview naming the key, its allowed range and the value', async () => {
    const bad = JSON.stringify({ endpoint: 'https://delivery.example.com', rateLimitPerSecond: 301 });

    await expect(synthesize('dev', { 'eventflow:deliveryProvider': bad })).rejects.toThrow(
      `Pulumi.dev.yaml: 'eventflow:deliveryProvider.rateLimitPerSecond' must be an integer between 1 and 300, got 301`,
    );
  });

  describe('delivery provider authorization', () => {
    /** Evaluates the dev stack in a fresh Pulumi runtime: the program module and runtime are one per evaluation. */
    const synthesizeIsolated = async (overrides: Record<string, string | undefined>): Promise<{ name: string; message: string }> => {
      let failure: unknown;
      await jest.isolateModulesAsync(async () => {
        const isolated = await import('../../../infra/synth/synthesize');
        failure = await isolated.synthesize('dev', overrides, { stackTraces: false }).then(
          () => undefined,
          (error: unknown) => error,
        );
      });
      // Its class comes from the isolated module registry: compared by name, not instanceof.
      if (!(failure instanceof Error)) throw new Error(`expected the evaluation to fail, it ${failure === undefined ? 'succeeded' : `threw ${String(failure)}`}`);
      return { name: failure.name, message: failure.message };
    };
    const oauth = { tokenEndpoint: 'https://auth.delivery.example.com/oauth2/token', clientId: 'eventflow-dev' };

    it('fails at preview, with the command to set it, when the secret of the authorization type is not set', async () => {
      // Arrange: the other types' secrets are set; the client secret is not.
      const delivery = JSON.stringify({ endpoint: 'https://delivery.example.com', authorization: 'OAUTH_CLIENT_CREDENTIALS', oauth });

      // Act
      const failure = await synthesizeIsolated({ 'eventflow:deliveryProvider': delivery, 'eventflow:deliveryProviderClientSecret': undefined });

      // Assert
      expect(failure.name).toBe('ConfigValidationError');
      expect(failure.message).toContain(
        "Pulumi.dev.yaml: 'eventflow:deliveryProviderClientSecret' is required with authorization OAUTH_CLIENT_CREDENTIALS: set it as a secret with `pulumi config set --secret eventflow:deliveryProviderClientSecret <value>`",
      );
    }, 60_000);

    it('lists every problem of the authorization settings at once', async () => {
      // Arrange: Basic, with the API key's header name left over and no user name.
      const delivery = JSON.stringify({ endpoint: 'https://delivery.example.com', authorization: 'BASIC', apiKeyName: 'x-api-key', basic: {} });

      // Act
      const failure = await synthesizeIsolated({ 'eventflow:deliveryProvider': delivery });

      // Assert
      expect(failure.name).toBe('ConfigValidationError');
      expect(failure.message.split('\n')).toEqual(
        expect.arrayContaining([
          `Pulumi.dev.yaml: 'eventflow:deliveryProvider.apiKeyName' must not be set with authorization BASIC: it configures API_KEY`,
          `Pulumi.dev.yaml: 'eventflow:deliveryProvider.basic.username' is required with authorization BASIC: a user name: a string of 1 to 512 characters, not blank, without ':' or control characters`,
        ]),
      );
    }, 60_000);
  });
});
