import { synthesize } from '../../../infra/synth/synthesize';

describe('the stack with bad configuration', () => {
  it('fails at preview naming the key, its allowed range and the value', async () => {
    const bad = JSON.stringify({ endpoint: 'https://delivery.example.com', rateLimitPerSecond: 301 });

    await expect(synthesize('dev', { 'eventflow:deliveryProvider': bad })).rejects.toThrow(
      `Pulumi.dev.yaml: 'eventflow:deliveryProvider.rateLimitPerSecond' must be an integer between 1 and 300, got 301`,
    );
  });
});
