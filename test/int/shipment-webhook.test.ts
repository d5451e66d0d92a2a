import { OngoingClient } from '../../shared/ongoing/client';
import { createShipmentWebhookHandler } from '../../shared/webhook';
import { startApiGateway, type LocalApiGateway } from '../../infra/local/api-gateway';
import { demoClientSettings } from '../../infra/simulators/ongoing';
import { describeOnEachState, startWorld, TEST_WEBHOOK_SECRET, type World } from '../support/world';
import { ongoingTwin } from '../support/ongoing-twin';

/**
 * The "Send" webhook end to end: the Ongoing simulator's pressSend POSTs its real payload and header to the
 * real handler served by the API Gateway adapter over HTTP; the handler talks to both simulators, and keeps
 * its state and labels on DynamoDB and S3 on the emulators, or in memory (the suite runs on both).
 */

const HEADER = 'X-Webhook-Secret';
const ROUTE = '/webhook/ongoing';
const fastRetry = { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 };

describeOnEachState('Send webhook', (adapter) => {
  let world: World;
  let gateway: LocalApiGateway;
  let ongoing: OngoingClient;
  let lines = 0;

  beforeAll(async () => {
    world = await startWorld({
      state: adapter,
      tenant: {
        baselinker: { statusAfterShipment: 5504 },
        shipment: { courierCode: 'dpd', courierFields: [{ id: 'package_description', value: 'Odzież' }], printing: { reportId: 7, workstationId: 3 } },
      },
    });
    const handler = createShipmentWebhookHandler({
      tenants: async () => [world.tenant],
      services: (tenant, options) => ({
        ...world.services(tenant, options),
        ongoing: new OngoingClient({ ...demoClientSettings(tenant.ongoing.url), retry: fastRetry }),
      }),
      budgetMs: 10_000,
      pollMs: 20,
      metrics: world.metrics,
    });
    gateway = await startApiGateway({ routes: [{ method: 'POST', resource: ROUTE, handler }] });
    world.ongoing.settings.webhook = { url: `${gateway.url}${ROUTE}`, headerName: HEADER, headerValue: TEST_WEBHOOK_SECRET };
    ongoing = new OngoingClient(demoClientSettings(world.ongoing.baseUrl));
    await ongoing.putArticle({ articleNumber: 'TSHIRT-M', articleName: 'T-shirt M', weight: 0.25 });
    await ongoing.putArticle({ articleNumber: 'HOODIE-L', articleName: 'Hoodie L', weight: 0.8 });
  });

  afterAll(async () => {
    await gateway?.close();
    await world?.close();
  });

  /** A BaseLinker order and its Ongoing twin (as the orders flow writes it), picked and ready to send. */
  async function pickedOrder(): Promise<{ blOrderId: number; ongoingOrderId: number; orderNumber: string }> {
    const bl = world.bl.addOrder({ delivery_fullname: 'Anna Nowak', delivery_address: 'ul. Prosta 1', delivery_postcode: '00-001', delivery_city: 'Warszawa' });
    const orderId = await ongoingTwin(ongoing, world.ongoing, bl.order_id, {
      orderLines: [
        { rowNumber: String(++lines), articleNumber: 'TSHIRT-M', numberOfItems: 2 },
        { rowNumber: String(++lines), articleNumber: 'HOODIE-L', numberOfItems: 1 },
      ],
      status: 400,
    });
    return { blOrderId: bl.order_id, ongoingOrderId: orderId, orderNumber: String(bl.order_id) };
  }

  async function post(body: unknown, headers: Record<string, string> = { [HEADER]: TEST_WEBHOOK_SECRET }): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${gateway.url}${ROUTE}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  function payloadFor(ongoingOrderId: number, overrides: Record<string, unknown> = {}) {
    return { webhookOrdersId: 12, webhookEventId: 1_000_000 + ongoingOrderId, orderId: ongoingOrderId, goodsOwnerId: 42, orderStatus: { number: 450 }, ...overrides };
  }

  const files = (ongoingOrderId: number) => [...world.ongoing.state.files.values()].filter((f) => f.orderId === ongoingOrderId);
  const packagesOf = (blOrderId: number) => [...world.bl.state.packages.values()].filter((p) => p.order_id === blOrderId);

  describe('Send webhook: the happy path', () => {
    it('books one package, keeps the label in S3, attaches the same bytes to the Ongoing order for printing, and writes tracking', async () => {
      const { blOrderId, ongoingOrderId, orderNumber } = await pickedOrder();
      world.bl.resetCounters();

      expect(await world.ongoing.pressSend(ongoingOrderId)).toBe(200);

      expect(world.bl.calls('createPackage')).toBe(1);
      const [pkg] = packagesOf(blOrderId);
      // Weight: 2 × 0.25 kg + 1 × 0.8 kg from the Ongoing articles; the tenant's courier fields go along.
      expect(pkg).toMatchObject({ courier_code: 'dpd', account_id: 61, packages: [{ weight: 1.3 }], fields: [{ id: 'package_description', value: 'Odzież' }] });

      const { state, labels } = world.services();
      const record = await state.shipments.get(ongoingOrderId);
      expect(record).toMatchObject({ status: 'done', blOrderId: String(blOrderId), packageId: pkg!.package_id, courierCode: 'dpd', trackingNumber: pkg!.package_number });
      expect(record?.labelKey).toBe(`labels/test/${ongoingOrderId}/${pkg!.package_id}.pdf`);

      const [file] = files(ongoingOrderId);
      expect(file).toMatchObject({ fileName: `label-${orderNumber}-${pkg!.package_id}.pdf`, mimeType: 'application/pdf', printingInfo: { reportId: 7, printAsWorkstation: { workstationId: 3 } } });
      const stored = await labels.get(record!.labelKey!);
      expect(stored.subarray(0, 5).toString()).toBe('%PDF-');
      expect(Buffer.from(file!.fileDataBase64, 'base64').equals(stored)).toBe(true);

      const order = await ongoing.getOrder(ongoingOrderId);
      expect(order?.tracking).toEqual([expect.objectContaining({ waybill: pkg!.package_number, trackingUrl: expect.stringContaining(pkg!.package_number) })]);
      expect(order?.orderInfo.wayBill).toBe(pkg!.package_number);
      // The tenant's "sent" status in BaseLinker.
      expect(world.bl.state.orders.get(blOrderId)?.order_status_id).toBe(5504);
    });

    it('answers a redelivered event from state: 200 with the same package, nothing booked or uploaded again', async () => {
      const { blOrderId, ongoingOrderId } = await pickedOrder();
      expect(await world.ongoing.pressSend(ongoingOrderId)).toBe(200);
      world.bl.resetCounters();
      world.ongoing.resetCalls();

      const again = await post(world.ongoing.webhookDeliveries.at(-1)!.payload);

      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ status: 'done', packageId: String(packagesOf(blOrderId)[0]!.package_id), alreadyDone: true });
      expect(world.bl.calls()).toBe(0);
      expect(world.ongoing.calls()).toBe(0);
      expect(files(ongoingOrderId)).toHaveLength(1);
    });

    it('books exactly one package when Send is pressed twice at once, and both presses get the result', async () => {
      const { blOrderId, ongoingOrderId } = await pickedOrder();
      world.bl.resetCounters();

      const statuses = await Promise.all([world.ongoing.pressSend(ongoingOrderId), world.ongoing.pressSend(ongoingOrderId)]);

      expect(statuses).toEqual([200, 200]);
      expect(world.bl.calls('createPackage')).toBe(1);
      expect(packagesOf(blOrderId)).toHaveLength(1);
      expect(files(ongoingOrderId)).toHaveLength(1);
      // Both presses are kept for the order's story, each with the one package.
      const sends = await world.services().state.sends.list(ongoingOrderId);
      expect(sends).toHaveLength(2);
      expect(sends.every((s) => s.via === 'webhook' && s.outcome === 'done' && s.packageId === String(packagesOf(blOrderId)[0].package_id))).toBe(true);
    });
  });

  describe('Send webhook: crashes and retries', () => {
    it('reuses the package of a worker that crashed after createPackage, before writing state', async () => {
      const { blOrderId, ongoingOrderId } = await pickedOrder();
      const { baselinker, state } = world.services();
      // The crashed worker: it held the claim (now lapsed) and BaseLinker booked its package; we never heard back.
      expect((await state.shipments.claim(ongoingOrderId, 'crashed-worker', 1)).result).toBe('claimed');
      const orphan = await baselinker.createPackage({ order_id: blOrderId, courier_code: 'dpd', packages: [{ weight: 1.3 }] });
      await new Promise((r) => setTimeout(r, 5));
      world.bl.resetCounters();

      expect(await world.ongoing.pressSend(ongoingOrderId)).toBe(200);

      expect(world.bl.calls('createPackage')).toBe(0);
      expect(packagesOf(blOrderId).map((p) => p.package_id)).toEqual([orphan.package_id]);
      expect(await state.shipments.get(ongoingOrderId)).toMatchObject({ status: 'done', packageId: orphan.package_id, trackingNumber: orphan.package_number });
    });

    it('finishes on a second Send after Ongoing failed half-way: still one package and one label file, S3 and Ongoing bytes equal', async () => {
      const { blOrderId, ongoingOrderId } = await pickedOrder();
      world.ongoing.injectFault({ route: 'PUT /orders/{orderId}/orderTracking', kind: 'http500', times: fastRetry.attempts });

      expect(await world.ongoing.pressSend(ongoingOrderId)).toBe(502);
      const { state, labels } = world.services();
      const halfway = await state.shipments.get(ongoingOrderId);
      expect(halfway).toMatchObject({ status: 'pending', packageId: packagesOf(blOrderId)[0]!.package_id, lastError: expect.stringContaining('orderTracking') });
      expect(halfway?.owner).toBeUndefined();
      expect(files(ongoingOrderId)).toHaveLength(1);

      expect(await world.ongoing.pressSend(ongoingOrderId)).toBe(200);

      expect(packagesOf(blOrderId)).toHaveLength(1);
      const onOrder = files(ongoingOrderId);
      expect(onOrder).toHaveLength(1);
      const done = await state.shipments.get(ongoingOrderId);
      expect(done?.status).toBe('done');
      expect(Buffer.from(onOrder[0]!.fileDataBase64, 'base64').equals(await labels.get(done!.labelKey!))).toBe(true);
    });
  });

  describe('Send webhook: courier refusal', () => {
    it("returns the courier's message, records it set aside, and ships once the problem is fixed", async () => {
      const { blOrderId, ongoingOrderId } = await pickedOrder();
      const courierMessage = 'Nieprawidłowy kod pocztowy odbiorcy';
      world.bl.refusePackages(courierMessage, blOrderId);
      const shippedBefore = world.metrics.sum('ItemsSynced', { flow: 'shipment' });
      const setAsideBefore = world.metrics.sum('ItemsSetAside', { flow: 'shipment' });

      expect(await world.ongoing.pressSend(ongoingOrderId)).toBe(422);
      const { state } = world.services();
      const record = await state.shipments.get(ongoingOrderId);
      expect(record).toMatchObject({ status: 'failed', lastError: expect.stringContaining(courierMessage) });
      expect(record?.packageId).toBeUndefined();
      expect(record?.owner).toBeUndefined();
      expect(await state.inbox.get('shipment', String(ongoingOrderId))).toMatchObject({
        reason: expect.stringContaining(courierMessage),
        ids: expect.objectContaining({ blOrderId: String(blOrderId) }),
      });
      expect(packagesOf(blOrderId)).toHaveLength(0);
      expect(files(ongoingOrderId)).toHaveLength(0);

      // The caller sees BaseLinker's words.
      const answer = await post(world.ongoing.webhookDeliveries.at(-1)!.payload);
      expect(answer).toMatchObject({ status: 422, body: { status: 'refused', courierMessage } });

      world.bl.clearPackageRefusals();
      expect(await world.ongoing.pressSend(ongoingOrderId)).toBe(200);
      expect(packagesOf(blOrderId)).toHaveLength(1);
      expect(await state.shipments.get(ongoingOrderId)).toMatchObject({ status: 'done' });
      expect(await state.inbox.get('shipment', String(ongoingOrderId))).toBeUndefined();
      // The dashboard's shipment widgets: two refusals (press + direct post) set aside, then one shipped.
      expect(world.metrics.sum('ItemsSetAside', { flow: 'shipment' }) - setAsideBefore).toBe(2);
      expect(world.metrics.sum('ItemsSynced', { flow: 'shipment' }) - shippedBefore).toBe(1);
    });
  });

  describe('Send webhook: who may call, and what', () => {
    it('answers 401 to a wrong or missing secret and touches neither system nor state', async () => {
      const { ongoingOrderId } = await pickedOrder();
      world.bl.resetCounters();
      world.ongoing.resetCalls();
      try {
        world.ongoing.settings.webhook = { url: `${gateway.url}${ROUTE}`, headerName: HEADER, headerValue: `${TEST_WEBHOOK_SECRET}x` };
        expect(await world.ongoing.pressSend(ongoingOrderId)).toBe(401);
        world.ongoing.settings.webhook = { url: `${gateway.url}${ROUTE}` };
        expect(await world.ongoing.pressSend(ongoingOrderId)).toBe(401);
        // The secret in another header does not count either.
        world.ongoing.settings.webhook = { url: `${gateway.url}${ROUTE}`, headerName: 'X-Auth-Token', headerValue: TEST_WEBHOOK_SECRET };
        expect(await world.ongoing.pressSend(ongoingOrderId)).toBe(401);
      } finally {
        world.ongoing.settings.webhook = { url: `${gateway.url}${ROUTE}`, headerName: HEADER, headerValue: TEST_WEBHOOK_SECRET };
      }
      expect(world.bl.calls()).toBe(0);
      expect(world.ongoing.calls()).toBe(0);
      expect(await world.services().state.shipments.get(ongoingOrderId)).toBeUndefined();
      expect(await world.services().state.sends.list(ongoingOrderId)).toEqual([]);
    });

    it('answers 401 before looking at the body, 400 to a malformed body, 404 to a goods owner nobody configured', async () => {
      world.bl.resetCounters();
      world.ongoing.resetCalls();
      expect((await post('not json', {})).status).toBe(401);

      const malformed = await post('{"orderId": "seven"');
      expect(malformed).toMatchObject({ status: 400, body: { status: 'malformed' } });
      const missing = await post({ webhookEventId: 5, goodsOwnerId: 42 });
      expect(missing).toMatchObject({ status: 400, body: { message: expect.stringContaining('orderId') } });

      const unknown = await post(payloadFor(70001, { goodsOwnerId: 4242 }));
      expect(unknown).toMatchObject({ status: 404, body: { status: 'unknown-goods-owner', message: 'goods owner 4242 is not configured in this integration' } });
      expect(world.bl.calls()).toBe(0);
      expect(world.ongoing.calls()).toBe(0);
    });

    it('answers 409 for an order not yet in a status that may ship, and 404 for an order Ongoing does not have', async () => {
      const { ongoingOrderId } = await pickedOrder(); // status 400 (picked), not yet 450 (sent)
      world.bl.resetCounters();

      const early = await post(payloadFor(ongoingOrderId));
      expect(early).toMatchObject({ status: 409, body: { status: 'not-shippable', message: expect.stringContaining('status 400') } });
      const cancelled = await pickedOrder();
      world.ongoing.setOrderStatus(cancelled.ongoingOrderId, 1000);
      expect((await post(payloadFor(cancelled.ongoingOrderId))).status).toBe(409);

      expect((await post(payloadFor(999_999))).status).toBe(404);
      expect(world.bl.calls()).toBe(0);
      expect(await world.services().state.shipments.get(ongoingOrderId)).toBeUndefined();
    });
  });
});
