import { OngoingClient } from '../../shared/ongoing/client';
import { createShipmentWebhookHandler } from '../../shared/webhook';
import { trackingFlow } from '../../shared/flows/tracking';
import { startApiGateway, type LocalApiGateway } from '../../infra/local/api-gateway';
import { demoClientSettings } from '../../infra/simulators/ongoing';
import { describeOnEachState, startWorld, TEST_WEBHOOK_SECRET, type World } from '../support/world';
import { ongoingTwin } from '../support/ongoing-twin';

/**
 * What the webhook leaves for later and the scheduled tracking run finishes: tracking numbers that appear
 * after the package, shipments answered 202 because the courier was slow, and crashed work. Also the label
 * formats other than PDF.
 */

const HEADER = 'x-ongoing-token';
const ROUTE = '/webhook/ongoing';
const SLOW_ROUTE = '/webhook/slow';
const BUDGET_MS = 150;

describeOnEachState('shipment tracking and label formats', (adapter) => {
  let world: World;
  let gateway: LocalApiGateway;
  let ongoing: OngoingClient;
  let lines = 0;

  beforeAll(async () => {
    world = await startWorld({ state: adapter, tenant: { shipment: { courierCode: 'dpd', webhookHeader: HEADER } } });
    const handlerWithBudget = (budgetMs: number) =>
      createShipmentWebhookHandler({
        tenants: async () => [world.tenant],
        services: (tenant, options) => world.services(tenant, options),
        budgetMs,
        pollMs: 20,
        metrics: world.metrics,
      });
    gateway = await startApiGateway({
      routes: [
        { method: 'POST', resource: ROUTE, handler: handlerWithBudget(10_000) },
        { method: 'POST', resource: SLOW_ROUTE, handler: handlerWithBudget(BUDGET_MS) },
      ],
    });
    useRoute(ROUTE);
    ongoing = new OngoingClient(demoClientSettings(world.ongoing.baseUrl));
    await ongoing.putArticle({ articleNumber: 'MUG', articleName: 'Mug', weight: 0.4 });
  });

  afterAll(async () => {
    await gateway?.close();
    await world?.close();
  });

  afterEach(() => {
    world.bl.config.trackingNumberLater = undefined;
    world.bl.config.latencyMs = 0;
    world.bl.config.labelFormat = 'pdf';
    useRoute(ROUTE);
  });

  function useRoute(route: string): void {
    world.ongoing.settings.webhook = { url: `${gateway.url}${route}`, headerName: 'X-Ongoing-Token', headerValue: TEST_WEBHOOK_SECRET };
  }

  async function pickedOrder(): Promise<{ blOrderId: number; ongoingOrderId: number; orderNumber: string }> {
    const bl = world.bl.addOrder({ delivery_fullname: 'Jan Kowalski' });
    const orderId = await ongoingTwin(ongoing, world.ongoing, bl.order_id, {
      consignee: { name: 'Jan Kowalski', address1: 'ul. Krótka 2', postCode: '30-001', city: 'Kraków', countryCode: 'PL' },
      orderLines: [{ rowNumber: String(++lines), articleNumber: 'MUG', numberOfItems: 3 }],
      status: 400,
    });
    return { blOrderId: bl.order_id, ongoingOrderId: orderId, orderNumber: String(bl.order_id) };
  }

  const packagesOf = (blOrderId: number) => [...world.bl.state.packages.values()].filter((p) => p.order_id === blOrderId);
  const files = (ongoingOrderId: number) => [...world.ongoing.state.files.values()].filter((f) => f.orderId === ongoingOrderId);

  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
    for (let i = 0; i < 200; i++) {
      const value = await read();
      if (done(value)) return value;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`gave up waiting for ${what}`);
  }

  describe('tracking numbers that come later', () => {
    it('answers 202 with the package booked and label attached, and the next scheduled run writes the tracking number and link', async () => {
      world.bl.config.trackingNumberLater = {};
      const { blOrderId, ongoingOrderId } = await pickedOrder();

      expect(await world.ongoing.pressSend(ongoingOrderId)).toBe(202);
      const { state } = world.services();
      const [pkg] = packagesOf(blOrderId);
      expect(await state.shipments.get(ongoingOrderId)).toMatchObject({ status: 'pending-tracking', packageId: pkg!.package_id, labelKey: expect.any(String) });
      expect(files(ongoingOrderId)).toHaveLength(1);
      expect((await ongoing.getOrder(ongoingOrderId))?.tracking ?? []).toEqual([]);

      // Not there yet: the run looks, writes nothing, and keeps waiting.
      const early = await world.run('tracking', trackingFlow);
      expect(early).toMatchObject({ outcome: 'ok', result: { seen: 1, written: 0, counts: { waitingForTracking: 1 } } });
      expect(world.ongoing.calls('PUT /orders/{orderId}/orderTracking')).toBe(0);

      const filled = world.bl.fillTrackingNumber(pkg!.package_id);
      const later = await world.run('tracking', trackingFlow);

      expect(later).toMatchObject({ outcome: 'ok', result: { written: 1 } });
      const order = await ongoing.getOrder(ongoingOrderId);
      expect(order?.tracking).toEqual([expect.objectContaining({ waybill: filled.package_number, trackingUrl: expect.stringContaining(filled.package_number) })]);
      expect(await state.shipments.get(ongoingOrderId)).toMatchObject({ status: 'done', trackingNumber: filled.package_number });
      expect(world.bl.calls('createPackage')).toBe(1);
      // Done shipments are left alone by later runs.
      expect((await world.run('tracking', trackingFlow)).result).toMatchObject({ seen: 0, written: 0 });
    });

    it('sets a package aside when it disappeared from BaseLinker before its tracking number came', async () => {
      world.bl.config.trackingNumberLater = {};
      const { blOrderId, ongoingOrderId } = await pickedOrder();
      expect(await world.ongoing.pressSend(ongoingOrderId)).toBe(202);
      world.bl.deletePackage(packagesOf(blOrderId)[0]!.package_id);

      const report = await world.run('tracking', trackingFlow);

      expect(report.result).toMatchObject({ setAside: 1, written: 0 });
      const { state } = world.services();
      expect(await state.shipments.get(ongoingOrderId)).toMatchObject({ status: 'failed' });
      expect(await state.inbox.get('shipment', String(ongoingOrderId))).toMatchObject({ reason: expect.stringContaining('gone from BaseLinker') });
    });
  });

  describe('a tracking run that fails on some shipments', () => {
    it('does not end ok: it ends failed, with the counts kept, so the error metric and alarm see it', async () => {
      world.bl.config.trackingNumberLater = {};
      const first = await pickedOrder();
      const second = await pickedOrder();
      expect(await world.ongoing.pressSend(first.ongoingOrderId)).toBe(202);
      expect(await world.ongoing.pressSend(second.ongoingOrderId)).toBe(202);
      world.bl.fillTrackingNumber(packagesOf(first.blOrderId)[0]!.package_id);
      world.bl.fillTrackingNumber(packagesOf(second.blOrderId)[0]!.package_id);
      // BaseLinker fails every package lookup of one run (transport errors, retried and given up).
      world.bl.injectFault({ method: 'getOrderPackages', kind: 'http500', times: 8 });

      const failed = await world.run('tracking', trackingFlow);
      expect(failed).toMatchObject({ outcome: 'failed', result: { seen: 2, written: 0, failed: 2 } });
      expect(failed.error).toMatch(/2 item\(s\) failed/);
      expect(world.metrics.sum('RunFailed', { flow: 'tracking' })).toBeGreaterThanOrEqual(1);
      const { state } = world.services();
      expect((await state.runs.all()).find((s) => s.flow === 'tracking')).toMatchObject({ outcome: 'failed', counts: expect.objectContaining({ failed: 2 }) });

      // The next run retries them and ends ok.
      const next = await world.run('tracking', trackingFlow);
      expect(next).toMatchObject({ outcome: 'ok', result: { written: 2 } });
    });
  });

  describe('slow courier and crashed work', () => {
    it('answers 202 when BaseLinker is slower than the time budget; the work stops there (no package booked after the answer) and the tracking run finishes it', async () => {
      const { blOrderId, ongoingOrderId } = await pickedOrder();
      world.bl.config.latencyMs = BUDGET_MS; // every BaseLinker call; the work needs several
      useRoute(SLOW_ROUTE);
      const { state } = world.services();

      expect(await world.ongoing.pressSend(ongoingOrderId)).toBe(202);

      // The answered request (on a loaded machine it may not even have claimed the order yet) hands its claim back at its next step instead of booking on.
      const released = await until(() => state.shipments.get(ongoingOrderId), (r) => r?.status === 'pending' && !r.owner, 'the claim to be handed back');
      expect(released?.lastError).toMatch(/stopped after the webhook answered/);
      expect(packagesOf(blOrderId)).toHaveLength(0);

      world.bl.config.latencyMs = 0;
      const report = await world.run('tracking', trackingFlow);
      expect(report.result).toMatchObject({ seen: 1, written: 1 });
      expect(await state.shipments.get(ongoingOrderId)).toMatchObject({ status: 'done', packageId: packagesOf(blOrderId)[0]!.package_id, trackingNumber: expect.any(String) });
      expect(packagesOf(blOrderId)).toHaveLength(1);
    });

    it('counts a shipment that fails after the webhook answered 202 (ShipmentFailedAfterAccept), which nobody else would see', async () => {
      const { blOrderId, ongoingOrderId } = await pickedOrder();
      // Only the courier is slow, so createPackage is the step in flight when the webhook answers 202 (the work
      // stops at its next step after that): its refusal comes when nobody waits for the answer any more.
      world.bl.config.methodLatencyMs = { createPackage: BUDGET_MS * 2 };
      world.bl.refusePackages('Paczka za ciężka dla kuriera', blOrderId);
      useRoute(SLOW_ROUTE);
      const before = world.metrics.sum('ShipmentFailedAfterAccept', { flow: 'shipment' });
      try {
        expect(await world.ongoing.pressSend(ongoingOrderId)).toBe(202);
        const { state } = world.services();
        await until(() => state.shipments.get(ongoingOrderId), (r) => r?.status === 'failed', 'the shipment to be refused');
        await until(async () => world.metrics.sum('ShipmentFailedAfterAccept', { flow: 'shipment' }), (n) => n === before + 1, 'the metric');
      } finally {
        world.bl.config.methodLatencyMs = {};
        world.bl.clearPackageRefusals();
      }
    });

    it('lets the scheduled run finish a shipment whose worker died after booking the package, without booking another', async () => {
      const { blOrderId, ongoingOrderId, orderNumber } = await pickedOrder();
      world.ongoing.setOrderStatus(ongoingOrderId, 450);
      const { baselinker, state } = world.services();
      expect((await state.shipments.claim(ongoingOrderId, 'died', 1)).result).toBe('claimed');
      await state.shipments.update(ongoingOrderId, 'died', { blOrderId: String(blOrderId) });
      const orphan = await baselinker.createPackage({ order_id: blOrderId, courier_code: 'dpd', packages: [{ weight: 1.2 }] });
      await new Promise((r) => setTimeout(r, 5));
      world.bl.resetCounters();

      const report = await world.run('tracking', trackingFlow);

      expect(report.result).toMatchObject({ seen: 1, written: 1 });
      expect(world.bl.calls('createPackage')).toBe(0);
      expect(await state.shipments.get(ongoingOrderId)).toMatchObject({ status: 'done', packageId: orphan.package_id, trackingNumber: orphan.package_number });
      expect(files(ongoingOrderId).map((f) => f.fileName)).toEqual([`label-${orderNumber}-${orphan.package_id}.pdf`]);
    });

    it('leaves a shipment whose claim is still held alone', async () => {
      const { ongoingOrderId } = await pickedOrder();
      const { state } = world.services();
      expect((await state.shipments.claim(ongoingOrderId, 'busy-worker', 60_000)).result).toBe('claimed');
      world.bl.resetCounters();

      const report = await world.run('tracking', trackingFlow);

      expect(report.result).toMatchObject({ seen: 0, written: 0 });
      expect(world.bl.calls()).toBe(0);
      expect(await state.shipments.release(ongoingOrderId, 'busy-worker', { status: 'failed', lastError: 'test cleanup' })).toMatchObject({ status: 'failed' });
    });
  });

  describe('label formats', () => {
    it('stores and attaches a ZPL label under a .zpl name with a printer-language MIME type, bytes unchanged', async () => {
      world.bl.config.labelFormat = 'zpl';
      const { ongoingOrderId, orderNumber } = await pickedOrder();

      expect(await world.ongoing.pressSend(ongoingOrderId)).toBe(200);

      const { state, labels } = world.services();
      const record = await state.shipments.get(ongoingOrderId);
      expect(record?.labelKey).toMatch(/\.zpl$/);
      const [file] = files(ongoingOrderId);
      expect(file).toMatchObject({ fileName: `label-${orderNumber}-${record!.packageId}.zpl`, mimeType: 'application/x-zpl' });
      const stored = await labels.get(record!.labelKey!);
      expect(stored.toString('utf8')).toMatch(/^\^XA/);
      expect(Buffer.from(file!.fileDataBase64, 'base64').equals(stored)).toBe(true);
    });
  });
});
