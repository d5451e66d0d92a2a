import { scanOrders } from '../../shared/baselinker/order-pages';
import { ORDERS_SCAN_CHECKPOINT, createOrdersFlow, ordersFlow, type OrdersScanCheckpoint } from '../../shared/flows/orders';
import { describeOnEachState, savedCheckpoint, startWorld, type StateKind, type World } from '../support/world';

// Each test drives a few thousand state writes through several runs: on DynamoDB Local over a minute on a busy
// 2-core machine, in memory a few seconds.
jest.setTimeout(240_000);

const CHOSEN = 5501;
const OTHER = 5502;
const CANCELLED = 5505;
const DAY_MS = 86_400_000;

async function resumeWorld(state: StateKind, tenant: Record<string, unknown> = {}): Promise<World> {
  const world = await startWorld({ state, tenant: { baselinker: { orderStatusIds: [CHOSEN], cancelledStatusIds: [CANCELLED], lookbackDays: 1, ...tenant } } });
  await world.services().ongoing.putArticle({ articleNumber: 'SKU-A', articleName: 'Article A' });
  world.ongoing.resetCalls();
  return world;
}

const nowS = () => Math.floor(Date.now() / 1000);

/** `count` orders in the chosen status, each confirmed in a second of its own, oldest first. */
function addOrders(world: World, count: number, firstS = nowS() - 3 * 3600): number[] {
  return Array.from(
    { length: count },
    (_, i) => world.bl.addOrder({ order_status_id: CHOSEN, products: [{ sku: 'SKU-A', quantity: 1, price_brutto: 10 }] }, { confirmedAt: firstS + i }).order_id,
  );
}

/** getOrders pages one uninterrupted full scan needs (every scanned status), counted on the simulator. */
async function oneRunPages(world: World): Promise<number> {
  const { baselinker } = world.services();
  let pages = 0;
  for (const status of [CHOSEN, CANCELLED]) for await (const _page of scanOrders(baselinker, status, nowS() - DAY_MS / 1000)) pages++;
  world.bl.resetCounters();
  return pages;
}

const writes = (world: World) => world.ongoing.calls('PUT /orders');
const ongoingNumbers = (world: World) => [...world.ongoing.state.orders.values()].map((o) => o.orderNumber).sort();

/** One run whose clock jumps past its deadline once `more` further orders have been written to Ongoing. */
function runCutAfter(world: World, more: number, flow = ordersFlow) {
  const limit = writes(world) + more;
  const deadline = Date.now() + 60_000;
  return world.run('orders', flow, { deadline, now: () => (writes(world) >= limit ? deadline + 1 : Date.now()) });
}

const checkpointOf = (world: World) => savedCheckpoint<OrdersScanCheckpoint>(world, ORDERS_SCAN_CHECKPOINT);

describeOnEachState('orders flow: a scan stopped at the deadline continues where it stopped', (adapter) => {
  let world: World;
  afterEach(() => world?.close());

  it('continues a scan cut off mid-page on the next runs, re-reading at most one page per resume, each order written once', async () => {
    world = await resumeWorld(adapter);
    const ids = addOrders(world, 450);
    const minimum = await oneRunPages(world);

    const first = await runCutAfter(world, 130);
    expect(first.outcome).toBe('partial');
    expect(first.result!.message).toContain('the next run continues from there');
    expect(await checkpointOf(world)).toMatchObject({ status: CHOSEN, orderStatusIds: [CHOSEN], cancelledStatusIds: [CANCELLED] });

    const second = await runCutAfter(world, 130);
    expect(second.outcome).toBe('partial');
    expect(second.result!.counts).toMatchObject({ scanResumed: 1 });

    const third = await world.run('orders', ordersFlow);
    expect(third.outcome).toBe('ok');
    expect(third.result!.counts).toMatchObject({ scanResumed: 1 });
    // A resumed run does not go back over the pages already finished.
    expect(third.result!.written).toBe(450 - 260);

    const resumes = 2;
    expect(world.bl.calls('getOrders')).toBeGreaterThanOrEqual(minimum);
    expect(world.bl.calls('getOrders')).toBeLessThanOrEqual(minimum + resumes);
    expect(writes(world)).toBe(450);
    expect(ongoingNumbers(world)).toEqual(ids.map(String).sort());
    expect(await checkpointOf(world)).toBeUndefined();
  });

  it('stopped right after a finished page, goes on at the next page without reading or claiming anything twice', async () => {
    world = await resumeWorld(adapter);
    addOrders(world, 250);
    const minimum = await oneRunPages(world);

    // The first page holds 100 orders; the deadline passes as its last one is written.
    const first = await runCutAfter(world, 100);
    expect(first.outcome).toBe('partial');
    const saved = await checkpointOf(world);
    // The next page starts at the first page's last second, whose order is already done: it is skipped.
    expect(saved!.skipIds).toHaveLength(1);

    const rest = await world.run('orders', ordersFlow);
    expect(rest.result).toMatchObject({ written: 150, complete: true });
    expect(rest.result!.counts!.alreadyInOngoing).toBeUndefined();
    expect(world.bl.calls('getOrders')).toBe(minimum);
    expect(writes(world)).toBe(250);
  });

  it('after a completed scan, the next run is a full fresh pass that finds an old order moved into a chosen status', async () => {
    world = await resumeWorld(adapter);
    addOrders(world, 150);
    const late = world.bl.addOrder({ order_status_id: OTHER, products: [{ sku: 'SKU-A', quantity: 1 }] }, { confirmedAt: nowS() - 5 * 3600 });
    await runCutAfter(world, 120);
    expect(await checkpointOf(world)).toBeDefined();
    await world.run('orders', ordersFlow);
    expect(await checkpointOf(world)).toBeUndefined();
    expect(writes(world)).toBe(150);

    world.bl.changeOrderStatus(late.order_id, CHOSEN);
    const minimum = await oneRunPages(world);
    const fresh = await world.run('orders', ordersFlow);
    expect(fresh.result!.counts!.scanResumed).toBeUndefined();
    expect(fresh.result!.written).toBe(1);
    expect(world.bl.calls('getOrders')).toBe(minimum);
    expect(ongoingNumbers(world)).toContain(String(late.order_id));
  });

  it('gives back the claims of orders not written when the run stopped, and the next run sends them', async () => {
    world = await resumeWorld(adapter);
    const ids = addOrders(world, 60);
    // Batches of 50 are claimed before they are written: the cut leaves 40 of the first batch claimed.
    const first = await runCutAfter(world, 10, createOrdersFlow({ batchSize: 50 }));
    expect(first.result!.written).toBe(10);
    const state = world.services().state;
    expect(await state.orders.get(ids[20]!)).toMatchObject({ status: 'pending' });

    const next = await world.run('orders', ordersFlow);
    expect(next.result!.written).toBe(50);
    expect(ongoingNumbers(world)).toEqual(ids.map(String).sort());
    expect(writes(world)).toBe(60);
  });

  it('continues the scan of the cancelled statuses after the chosen ones were finished', async () => {
    world = await resumeWorld(adapter);
    addOrders(world, 30);
    const minimum = await oneRunPages(world);
    // The chosen status ends on a page under 100; the deadline passes with its last order.
    const first = await runCutAfter(world, 30);
    expect(first.outcome).toBe('partial');
    expect(await checkpointOf(world)).toMatchObject({ status: CANCELLED, skipIds: [] });
    const rest = await world.run('orders', ordersFlow);
    expect(rest.result!.counts).toMatchObject({ scanResumed: 1 });
    expect(rest.result!.seen).toBe(0);
    expect(world.bl.calls('getOrders')).toBe(minimum);
  });

  const stale: Array<[string, (c: OrdersScanCheckpoint) => unknown]> = [
    ['the chosen statuses changed since it was saved', (c) => ({ ...c, orderStatusIds: [OTHER] })],
    ['the cancelled statuses changed since it was saved', (c) => ({ ...c, cancelledStatusIds: [] })],
    ['lookbackDays changed since it was saved', (c) => ({ ...c, lookbackDays: 3 })],
    ['its pass began before the look-back window', (c) => ({ ...c, passStartedAt: Date.now() - 2 * DAY_MS })],
    ['it cannot be read', (c) => ({ ...c, position: 'page 3' })],
  ];
  it.each(stale)('starts the scan over when %s', async (_why, change) => {
    world = await resumeWorld(adapter);
    const [early] = addOrders(world, 1, nowS() - 4 * 3600);
    // A checkpoint past every order: continuing it would find nothing.
    const ahead: OrdersScanCheckpoint = {
      status: CHOSEN,
      position: { from: nowS() - 60 },
      skipIds: [],
      passStartedAt: Date.now() - 3600_000,
      lookbackDays: 1,
      orderStatusIds: [CHOSEN],
      cancelledStatusIds: [CANCELLED],
    };
    await world.services().state.checkpoints.write(ORDERS_SCAN_CHECKPOINT, change(ahead));
    const report = await world.run('orders', ordersFlow);
    expect(report.result!.counts).toMatchObject({ scanStartedOver: 1 });
    expect(report.result!.counts!.scanResumed).toBeUndefined();
    expect(ongoingNumbers(world)).toEqual([String(early)]);
    expect(await checkpointOf(world)).toBeUndefined();
  });

  it('continues a checkpoint that still fits, skipping what lies before it', async () => {
    world = await resumeWorld(adapter);
    addOrders(world, 1, nowS() - 4 * 3600);
    const [recent] = addOrders(world, 1, nowS() - 30);
    const fits: OrdersScanCheckpoint = {
      status: CHOSEN,
      position: { from: nowS() - 60 },
      skipIds: [],
      passStartedAt: Date.now() - 3600_000,
      lookbackDays: 1,
      orderStatusIds: [CHOSEN],
      cancelledStatusIds: [CANCELLED],
    };
    await world.services().state.checkpoints.write(ORDERS_SCAN_CHECKPOINT, fits);
    const report = await world.run('orders', ordersFlow);
    expect(report.result!.counts).toMatchObject({ scanResumed: 1 });
    expect(ongoingNumbers(world)).toEqual([String(recent)]);
  });

  it('with the journal on, the next one-minute run polls the journal and continues the unfinished scan', async () => {
    world = await resumeWorld(adapter, { journal: true });
    const ids = addOrders(world, 150);
    const first = await runCutAfter(world, 120);
    expect(first.result!.counts).toMatchObject({ journalRestarted: 1, fullScan: 1 });
    expect(await checkpointOf(world)).toBeDefined();

    const next = await world.run('orders', ordersFlow);
    expect(next.result!.counts).toMatchObject({ fullScan: 1, scanResumed: 1 });
    expect(ongoingNumbers(world)).toEqual(ids.map(String).sort());
    expect(writes(world)).toBe(150);

    // The scan is done: the following minute only reads the journal.
    world.bl.resetCounters();
    const poll = await world.run('orders', ordersFlow);
    expect(poll.result!.counts!.fullScan).toBeUndefined();
    expect(world.bl.calls('getOrders')).toBe(0);
  });
});
