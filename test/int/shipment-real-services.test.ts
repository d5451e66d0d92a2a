import { InMemoryBudget, type RequestBudget } from '../../shared/baselinker/budget';
import { BaseLinkerClient } from '../../shared/baselinker/client';
import type { TenantConfig } from '../../shared/config';
import { forgetCourierForms } from '../../shared/flows/courier-forms';
import { shipOrder, type ShipmentDeps } from '../../shared/flows/shipment';
import { trackingFlow } from '../../shared/flows/tracking';
import { flowLogger } from '../../shared/log/logger';
import { OngoingClient } from '../../shared/ongoing/client';
import { DEFAULT_SIM_TOKEN } from '../../infra/simulators/baselinker';
import { demoClientSettings } from '../../infra/simulators/ongoing';
import { describeOnEachState, startWorld, type World } from '../support/world';
import { ongoingTwin } from '../support/ongoing-twin';

/**
 * Issue 12 against the simulators over HTTP, the simulators behaving as the real services do: the label
 * prints, drop-off packages count, cash on delivery is collected, parcel keys come from the courier's form,
 * a stale worker books nothing, and a Send retried after each lost answer still gives one of everything.
 */

const PRINTING = { reportId: 7, workstationId: 3 };
const PRINTING_INFO = { reportId: 7, printAsWorkstation: { workstationId: 3 } };
describeOnEachState('shipment against services behaving as the real ones', (adapter) => {
  let world: World;
  let lines = 0;

  beforeAll(async () => {
    world = await startWorld({ state: adapter, tenant: { shipment: { courierCode: 'dpd', printing: PRINTING } } });
    const ongoing = new OngoingClient(demoClientSettings(world.ongoing.baseUrl));
    await ongoing.putArticle({ articleNumber: 'MUG', articleName: 'Mug', weight: 0.4 });
  });
  afterAll(() => world?.close());
  beforeEach(() => {
    world.bl.clearFaults();
    world.ongoing.clearFaults();
    forgetCourierForms();
  });

  const log = flowLogger({ tenant: 'test', flow: 'shipment', runId: 'test' });

  function tenant(shipment: Partial<TenantConfig['shipment']> = {}): TenantConfig {
    return { ...world.tenant, shipment: { ...world.tenant.shipment, ...shipment } };
  }

  function deps(t: TenantConfig = world.tenant, overrides: Partial<ShipmentDeps> = {}): ShipmentDeps {
    const services = world.services(t);
    return { tenant: t, ...services, shipments: services.state.shipments, inbox: services.state.inbox, log, now: Date.now, ...overrides };
  }

  /** A BaseLinker order (COD or not) and its Ongoing twin, sent (status 450). */
  async function sentOrder(bl: Parameters<World['bl']['addOrder']>[0] = {}): Promise<{ blOrderId: number; ongoingOrderId: number; orderNumber: string }> {
    const order = world.bl.addOrder({ products: [{ sku: 'MUG', price_brutto: 39.9, quantity: 2 }], delivery_price: 14.99, ...bl });
    const orderId = await ongoingTwin(world.services().ongoing, world.ongoing, order.order_id, {
      deliveryDate: '2026-12-01T00:00:00Z',
      orderLines: [{ rowNumber: String(++lines), articleNumber: 'MUG', numberOfItems: 2 }],
      status: 450,
    });
    return { blOrderId: order.order_id, ongoingOrderId: orderId, orderNumber: String(order.order_id) };
  }

  const packagesOf = (blOrderId: number) => [...world.bl.state.packages.values()].filter((p) => p.order_id === blOrderId);
  const filesOf = (ongoingOrderId: number) => [...world.ongoing.state.files.values()].filter((f) => f.orderId === ongoingOrderId);
  const ship = (ongoingOrderId: number, d: ShipmentDeps = deps(), owner = 'test') => shipOrder(d, ongoingOrderId, { owner, leaseMs: 60_000 });

  describe('1. the label prints', () => {
    it('goes up through POST with printingInfo: one file, printed once', async () => {
      const { ongoingOrderId } = await sentOrder();
      expect((await ship(ongoingOrderId)).kind).toBe('done');
      expect(filesOf(ongoingOrderId)).toEqual([expect.objectContaining({ printingInfo: PRINTING_INFO, printJobs: 1 })]);
      expect(world.ongoing.callLog.some((c) => c.route === 'POST /orders/{orderId}/files')).toBe(true);
    });

    it('replaces our file by id (with printingInfo) when the order already has it, so it stays one file', async () => {
      const { ongoingOrderId, blOrderId, orderNumber } = await sentOrder();
      const pkg = world.bl.bookPackageOutside(blOrderId, { courier_code: 'dpd' });
      // An earlier attempt (older code) put the label by name, which never printed.
      await world.services().ongoing.putOrderFile(ongoingOrderId, `label-${orderNumber}-${pkg.package_id}.pdf`, { mimeType: 'application/pdf', dataBase64: 'JVBERi0=' });
      expect((await ship(ongoingOrderId)).kind).toBe('done');
      expect(filesOf(ongoingOrderId)).toEqual([expect.objectContaining({ fileName: `label-${orderNumber}-${pkg.package_id}.pdf`, printingInfo: PRINTING_INFO, printJobs: 1 })]);
    });

    it('without printing, puts the label by name (nothing to print)', async () => {
      const { ongoingOrderId } = await sentOrder();
      expect((await ship(ongoingOrderId, deps(tenant({ printing: undefined })))).kind).toBe('done');
      expect(filesOf(ongoingOrderId)).toEqual([expect.objectContaining({ printJobs: 0 })]);
      expect(filesOf(ongoingOrderId)[0]!.printingInfo).toBeUndefined();
    });
  });

  describe('2. a drop-off package is a package', () => {
    it.each([0, 2] as const)('a package of type %i booked outside the integration is the shipment: no second one', async (type) => {
      const { ongoingOrderId, blOrderId } = await sentOrder();
      const outside = world.bl.bookPackageOutside(blOrderId, { courier_code: 'dpd', package_type: type });
      const outcome = await ship(ongoingOrderId);
      expect(outcome).toMatchObject({ kind: 'done', reusedPackage: true, record: { packageId: outside.package_id } });
      expect(packagesOf(blOrderId)).toHaveLength(1);
    });

    it.each([1, 3] as const)('a return package (type %i) is not: the Send books the outgoing one', async (type) => {
      const { ongoingOrderId, blOrderId } = await sentOrder();
      const ret = world.bl.bookPackageOutside(blOrderId, { courier_code: 'dpd', package_type: type });
      const outcome = await ship(ongoingOrderId);
      expect(outcome).toMatchObject({ kind: 'done', reusedPackage: false });
      expect(packagesOf(blOrderId).map((p) => p.package_id)).toEqual([ret.package_id, expect.any(Number)]);
    });
  });

  describe('3. cash on delivery is collected', () => {
    it("books the amount the buyer still owes in the courier's COD field", async () => {
      const { ongoingOrderId, blOrderId } = await sentOrder({ payment_method_cod: true, payment_done: 10 });
      expect((await ship(ongoingOrderId)).kind).toBe('done');
      // 2 × 39.90 + 14.99 − 10.00
      expect(packagesOf(blOrderId)[0]!.fields).toContainEqual({ id: 'cod', value: '84.79' });
      expect(packagesOf(blOrderId)[0]!.ignored).toBeUndefined();
    });

    it('in the field the courier names for it (another courier, another id)', async () => {
      const { ongoingOrderId, blOrderId } = await sentOrder({ payment_method_cod: true });
      expect((await ship(ongoingOrderId, deps(tenant({ courierCode: 'gls' })))).kind).toBe('done');
      expect(packagesOf(blOrderId)[0]!.fields).toEqual([{ id: 'cod_amount', value: '94.79' }]);
    });

    it("lets the tenant's fixed COD field win", async () => {
      const { ongoingOrderId, blOrderId } = await sentOrder({ payment_method_cod: true });
      expect((await ship(ongoingOrderId, deps(tenant({ courierFields: [{ id: 'cod', value: '100.00' }] })))).kind).toBe('done');
      expect(packagesOf(blOrderId)[0]!.fields).toEqual([{ id: 'cod', value: '100.00' }]);
    });

    it('refuses and sets aside a COD order whose courier has no COD field: never shipped without collecting', async () => {
      const { ongoingOrderId, blOrderId } = await sentOrder({ payment_method_cod: true });
      const outcome = await ship(ongoingOrderId, deps(tenant({ courierCode: 'paczkomaty' })));
      expect(outcome).toMatchObject({ kind: 'refused', message: expect.stringMatching(/no cash-on-delivery field/) });
      expect(packagesOf(blOrderId)).toEqual([]);
      expect((await world.services().state.inbox.get('shipment', String(ongoingOrderId)))?.reason).toMatch(/cash-on-delivery/);
    });

    it('refuses a COD order whose amount cannot be computed', async () => {
      const { ongoingOrderId, blOrderId } = await sentOrder({ payment_method_cod: true, payment_done: 'zapłacono' as unknown as number });
      const outcome = await ship(ongoingOrderId);
      expect(outcome).toMatchObject({ kind: 'refused', message: expect.stringMatching(/cannot be computed/) });
      expect(packagesOf(blOrderId)).toEqual([]);
    });

    it('insures for the products gross value only when shipment.insurance is on', async () => {
      const off = await sentOrder();
      await ship(off.ongoingOrderId);
      expect(packagesOf(off.blOrderId)[0]!.fields.map((f) => f.id)).not.toContain('insurance');
      const on = await sentOrder();
      await ship(on.ongoingOrderId, deps(tenant({ insurance: true })));
      expect(packagesOf(on.blOrderId)[0]!.fields).toContainEqual({ id: 'insurance', value: '79.80' });
    });
  });

  describe("4. parcel keys from the courier's form", () => {
    it("sends the parcel under the courier's own keys: the courier ignores none (the size keys of both spellings: unit test)", async () => {
      const one = await sentOrder();
      await ship(one.ongoingOrderId, deps(tenant({ courierCode: 'gls' })));
      expect(packagesOf(one.blOrderId)[0]).toMatchObject({ packages: [{ weight: 0.8 }] });
      expect(packagesOf(one.blOrderId)[0]!.ignored).toBeUndefined();
    });

    it('asks for the form once per courier, not per Send', async () => {
      world.bl.resetCounters();
      for (let i = 0; i < 3; i++) await ship((await sentOrder()).ongoingOrderId);
      expect(world.bl.calls('getCourierFields')).toBe(1);
    });
  });

  /**
   * A budget that holds createPackage's acquire until released: a worker paused in the budget wait right in
   * front of createPackage (or a Lambda frozen there after its 202).
   */
  class GateBudget implements RequestBudget {
    private readonly inner = new InMemoryBudget({ requestsPerMinute: 100_000, burst: 100_000 });
    private armed = false;
    private release!: () => void;
    private readonly gate = new Promise<void>((r) => (this.release = r));
    private reached!: () => void;
    readonly arrived = new Promise<void>((r) => (this.reached = r));
    async acquire(...args: Parameters<RequestBudget['acquire']>) {
      if (this.armed) {
        this.armed = false;
        this.reached();
        await this.gate;
      }
      return this.inner.acquire(...args);
    }
    block(...args: Parameters<RequestBudget['block']>) {
      return this.inner.block(...args);
    }
    inspect(...args: Parameters<RequestBudget['inspect']>) {
      return this.inner.inspect(...args);
    }
    open(): void {
      this.release();
    }
    /** A client whose createPackage waits at this gate for its budget slot. */
    client(): BaseLinkerClient {
      const client = new BaseLinkerClient({ url: world.bl.url, token: DEFAULT_SIM_TOKEN, budget: this });
      const createPackage = client.createPackage.bind(client);
      client.createPackage = (...args) => {
        this.armed = true;
        return createPackage(...args);
      };
      return client;
    }
  }

  describe('5. no second package from a stale worker', () => {
    it('a worker paused in the budget wait before createPackage, whose order was taken over and booked meanwhile, books nothing', async () => {
      const { ongoingOrderId, blOrderId } = await sentOrder();
      const services = world.services();
      world.bl.resetCounters();
      const gate = new GateBudget();
      const staleClient = gate.client();
      const leaseMs = 200;

      // Worker A claims and stops in front of createPackage (budget wait; or a Lambda frozen after its 202).
      const a = shipOrder(deps(world.tenant, { baselinker: staleClient }), ongoingOrderId, { owner: 'worker-a', leaseMs });
      await gate.arrived;
      await new Promise((r) => setTimeout(r, leaseMs + 50));

      // Its lease lapses; the tracking run takes the order over and ships it.
      const report = await world.run('tracking', trackingFlow);
      expect(report.result).toMatchObject({ written: 1 });
      expect(packagesOf(blOrderId)).toHaveLength(1);

      // A resumes: its claim is checked right before the request would leave, and it stops.
      gate.open();
      expect(await a).toMatchObject({ kind: 'in-progress' });
      expect(packagesOf(blOrderId)).toHaveLength(1);
      expect(world.bl.requests.filter((r) => r.method === 'createPackage')).toHaveLength(1);
      expect((await services.state.shipments.get(ongoingOrderId))?.status).toBe('done');
    });

    it('a worker whose lease lapsed stops before booking even when nobody took over (the tracking run will)', async () => {
      const { ongoingOrderId, blOrderId } = await sentOrder();
      const gate = new GateBudget();
      const staleClient = gate.client();
      const a = shipOrder(deps(world.tenant, { baselinker: staleClient }), ongoingOrderId, { owner: 'worker-b', leaseMs: 100 });
      await gate.arrived;
      await new Promise((r) => setTimeout(r, 150));
      gate.open();
      expect(await a).toMatchObject({ kind: 'in-progress' });
      expect(packagesOf(blOrderId)).toHaveLength(0);
    });
  });

  describe("6. the tracking link from the courier's pattern: no lookup once two bookings agreed", () => {
    const HOUR_MS = 3600_000;
    const glsCourier = () => world.bl.state.couriers.find((c) => c.code === 'gls')!;
    const trackingOf = (ongoingOrderId: number) => world.ongoing.state.orders.get(ongoingOrderId)!.tracking;
    /** What getOrderPackages lists for the order's one package (asked after the counting). */
    const listedLink = async (blOrderId: number) => (await world.services().baselinker.getOrderPackages(blOrderId))[0]!.tracking_url;

    it('after two bookings whose links agree, a Send asks no getOrderPackages and writes the very link BaseLinker lists', async () => {
      for (let i = 0; i < 2; i++) expect((await ship((await sentOrder()).ongoingOrderId)).kind).toBe('done');
      world.bl.resetCounters();
      const { ongoingOrderId, blOrderId } = await sentOrder();
      const outcome = await ship(ongoingOrderId);
      expect(outcome.kind).toBe('done');
      expect(world.bl.calls('getOrderPackages')).toBe(0);
      expect(world.bl.calls()).toBe(3); // getOrders, createPackage, getLabel
      const pkg = packagesOf(blOrderId)[0]!;
      const link = await listedLink(blOrderId);
      expect(link).toContain(pkg.package_number);
      expect(trackingOf(ongoingOrderId)).toEqual([expect.objectContaining({ waybill: pkg.package_number, trackingUrl: link })]);
      expect(outcome.kind === 'done' && outcome.record).toMatchObject({ trackingNumber: pkg.package_number, trackingUrl: link });
    });

    it('a courier whose link also carries the delivery postcode is looked up at every Send, even for one postcode', async () => {
      glsCourier().tracking_link = 'https://track.example.invalid/gls?match={number}&zip={postcode}';
      try {
        world.bl.resetCounters();
        const gls = deps(tenant({ courierCode: 'gls' }));
        for (let i = 0; i < 3; i++) {
          const { ongoingOrderId, blOrderId } = await sentOrder({ delivery_postcode: '00-950' });
          expect((await ship(ongoingOrderId, gls)).kind).toBe('done');
          const link = await listedLink(blOrderId);
          expect(link).toContain('zip=00-950');
          expect(trackingOf(ongoingOrderId)).toEqual([expect.objectContaining({ trackingUrl: link })]);
        }
        // Each Send's own lookup, plus this test's three listedLink reads.
        expect(world.bl.calls('getOrderPackages')).toBe(6);
      } finally {
        delete glsCourier().tracking_link;
      }
    });

    it('a package a broker courier handed to a carrier of its choice (courier_other_name) teaches no pattern: looked up at every Send', async () => {
      glsCourier().carrier_name = 'DPD';
      try {
        world.bl.resetCounters();
        const gls = deps(tenant({ courierCode: 'gls' }));
        for (let i = 0; i < 3; i++) expect((await ship((await sentOrder()).ongoingOrderId, gls)).kind).toBe('done');
        expect(world.bl.calls('getOrderPackages')).toBe(3);
      } finally {
        delete glsCourier().carrier_name;
      }
    });

    it('bookings with another account or service of the courier do not share its pattern', async () => {
      for (let i = 0; i < 2; i++) await ship((await sentOrder()).ongoingOrderId);
      world.bl.resetCounters();
      await ship((await sentOrder()).ongoingOrderId, deps(tenant({ service: 'next_day' })));
      expect(world.bl.calls('getOrderPackages')).toBe(1);
    });

    it('an hour after the last lookup that agreed, the link is looked up again; a link of a new shape is written and the old pattern forgotten', async () => {
      for (let i = 0; i < 2; i++) await ship((await sentOrder()).ongoingOrderId);
      const dpd = world.bl.state.couriers.find((c) => c.code === 'dpd')!;
      dpd.tracking_link = 'https://tracking.example.invalid/v2/dpd?p1={number}';
      try {
        const later = deps(world.tenant, { now: () => Date.now() + HOUR_MS + 60_000 });
        world.bl.resetCounters();
        const { ongoingOrderId, blOrderId } = await sentOrder();
        expect((await ship(ongoingOrderId, later)).kind).toBe('done');
        expect(world.bl.calls('getOrderPackages')).toBe(1);
        const link = await listedLink(blOrderId);
        expect(link).toContain('/v2/dpd?p1=');
        expect(trackingOf(ongoingOrderId)).toEqual([expect.objectContaining({ trackingUrl: link })]);
        // One booking of the new shape is not yet two that agree: the next Send looks it up too.
        world.bl.resetCounters();
        const next = await sentOrder();
        await ship(next.ongoingOrderId, later);
        expect(world.bl.calls('getOrderPackages')).toBe(1);
      } finally {
        delete dpd.tracking_link;
      }
    });

    it("createPackage booked, answer lost, while the pattern is trusted: still one package, and BaseLinker's own link", async () => {
      for (let i = 0; i < 2; i++) await ship((await sentOrder()).ongoingOrderId);
      const { ongoingOrderId, blOrderId } = await sentOrder();
      world.bl.injectFault({ method: 'createPackage', kind: 'answer-lost' });
      expect((await ship(ongoingOrderId)).kind).toBe('done');
      await ship(ongoingOrderId);
      expect(packagesOf(blOrderId)).toHaveLength(1);
      expect(trackingOf(ongoingOrderId)).toEqual([expect.objectContaining({ waybill: packagesOf(blOrderId)[0]!.package_number, trackingUrl: await listedLink(blOrderId) })]);
    });
  });

  describe('a Send retried after each lost answer still gives one package, one printed label file and the tracking', () => {
    async function expectOneOfEverything(ongoingOrderId: number, blOrderId: number) {
      expect(packagesOf(blOrderId)).toHaveLength(1);
      const pkg = packagesOf(blOrderId)[0]!;
      expect(filesOf(ongoingOrderId)).toEqual([expect.objectContaining({ printingInfo: PRINTING_INFO, printJobs: 1 })]);
      const order = world.ongoing.state.orders.get(ongoingOrderId)!;
      expect(order.tracking).toEqual([expect.objectContaining({ waybill: pkg.package_number })]);
      expect((await world.services().state.shipments.get(ongoingOrderId))?.status).toBe('done');
    }

    it('createPackage booked, answer lost', async () => {
      const { ongoingOrderId, blOrderId } = await sentOrder();
      world.bl.injectFault({ method: 'createPackage', kind: 'answer-lost' });
      const first = await ship(ongoingOrderId);
      expect(world.bl.requests.some((r) => r.method === 'createPackage' && r.applied === 'SUCCESS' && r.outcome === 'fault:answer-lost')).toBe(true);
      // Healed within the attempt (the order's packages looked at once more); a second press changes nothing.
      expect(first.kind).toBe('done');
      await ship(ongoingOrderId);
      await expectOneOfEverything(ongoingOrderId, blOrderId);
    });

    it('the label POST applied, answer lost', async () => {
      const { ongoingOrderId, blOrderId } = await sentOrder();
      world.ongoing.injectFault({ route: 'POST /orders/{orderId}/files', kind: 'answer-lost' });
      await ship(ongoingOrderId);
      await ship(ongoingOrderId);
      expect(world.ongoing.callLog.filter((c) => c.route === 'POST /orders/{orderId}/files' && c.path.startsWith(`/orders/${ongoingOrderId}/`))).toHaveLength(1);
      await expectOneOfEverything(ongoingOrderId, blOrderId);
    });

    it('the tracking write applied, answer lost', async () => {
      const { ongoingOrderId, blOrderId } = await sentOrder();
      world.ongoing.injectFault({ route: 'PUT /orders/{orderId}/orderTracking', kind: 'answer-lost' });
      const first = await ship(ongoingOrderId);
      if (first.kind !== 'done') await ship(ongoingOrderId);
      await expectOneOfEverything(ongoingOrderId, blOrderId);
    });

    it('every write lost once, the Send pressed until done', async () => {
      const { ongoingOrderId, blOrderId } = await sentOrder();
      world.bl.injectFault({ method: 'createPackage', kind: 'answer-lost' });
      world.ongoing.injectFault({ route: 'POST /orders/{orderId}/files', kind: 'answer-lost' });
      world.ongoing.injectFault({ route: 'PUT /orders/{orderId}/orderTracking', kind: 'answer-lost' });
      for (let press = 0; press < 4 && (await world.services().state.shipments.get(ongoingOrderId))?.status !== 'done'; press++) await ship(ongoingOrderId);
      await expectOneOfEverything(ongoingOrderId, blOrderId);
    });
  });
});
