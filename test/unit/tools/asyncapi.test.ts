import { Parser } from '@asyncapi/parser';
import { loadOrderSystem } from '../../../model';
import { asyncApiDocument } from '../../../tools/asyncapi';

describe('AsyncAPI document', () => {
  it('is valid AsyncAPI 3.0 according to @asyncapi/parser, with a channel per event and every producer and consumer', async () => {
    const app = loadOrderSystem();
    const document = asyncApiDocument(app, '0.1.0');

    const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));

    expect(diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(
      parsed
        ?.channels()
        .all()
        .map((c) => c.id())
        .sort(),
    ).toEqual(app.catalog.eventNames());
    const operations =
      parsed
        ?.operations()
        .all()
        .map((o) => o.id()) ?? [];
    expect(operations).toEqual(expect.arrayContaining(['payment.MakePayment.sendPaymentMade', 'notifications.SendEmail.receivePaymentMade']));
  });

  it("describes the bus only: the API's request contracts are not messages", () => {
    // Arrange
    const app = loadOrderSystem();

    // Act
    const document = JSON.stringify(asyncApiDocument(app, '0.1.0'));

    // Assert
    const requests = app.catalog.requestVersions();
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) {
      expect(document).not.toContain(request.modelName);
      expect(document).not.toContain(`"${request.action}.v${request.version}"`);
      expect(document).not.toContain(request.description);
    }
  });

  it('would be caught if it broke the specification', async () => {
    const { info: _info, ...withoutInfo } = asyncApiDocument(loadOrderSystem(), '0.1.0');

    const { diagnostics } = await new Parser().parse(JSON.stringify(withoutInfo));

    expect(diagnostics.filter((d) => d.severity === 0).length).toBeGreaterThan(0);
  });
});
