import axios from 'axios';
import { OngoingClient, type OrderInput } from '../../shared/ongoing/client';
import { OngoingInvalidRequestError, OngoingResponseError } from '../../shared/ongoing/errors';
import { DEMO_API_USER, DEMO_GOODS_OWNER, demoClientSettings, demoSimulatorOptions, type OngoingSimulator, startOngoingSimulator } from '../../infra/simulators/ongoing';

const fastRetry = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
const GO = DEMO_GOODS_OWNER.id;

function order(orderNumber: string, lines: Array<{ rowNumber: string; articleNumber: string; numberOfItems: number }>): OrderInput {
  return {
    orderNumber,
    goodsOwnerOrderId: orderNumber.replace(/\D/g, ''),
    deliveryDate: '2025-03-04T00:00:00Z',
    orderRemark: 'Gift wrap please',
    servicePointCode: 'PL-WAW-123',
    marketPlace: { marketPlace: 'allegro', marketPlaceOrderNumber: `A-${orderNumber}` },
    consignee: {
      customerNumber: orderNumber,
      name: 'Anna Nowak',
      address1: 'ul. Prosta 1',
      postCode: '00-001',
      city: 'Warszawa',
      countryCode: 'PL',
      vatNumber: 'PL5250000000',
      advanced: { emailNotification: { toBeNotified: true, value: 'anna@example.com' } },
      invoiceAddress: { name: 'Nowak Sp. z o.o.', address1: 'ul. Długa 5', postCode: '00-002', city: 'Warszawa', countryCode: 'PL' },
    },
    emailNotification: { toBeNotified: true, value: 'anna@example.com' },
    smsNotification: { toBeNotified: true, value: '+48600100200' },
    customsInfo: { customsValueCurrencyCode: 'PLN' },
    orderLines: lines.map((l) => ({ ...l, prices: { customerLinePrice: 49.99, currencyCode: 'PLN' }, lineTotalCustomsValue: 99.98 })),
  };
}

describe('OngoingClient against the Ongoing simulator', () => {
  let sim: OngoingSimulator;
  let client: OngoingClient;

  beforeAll(async () => {
    sim = await startOngoingSimulator(demoSimulatorOptions());
    client = new OngoingClient({ ...demoClientSettings(sim.baseUrl), retry: fastRetry });
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.settings.ignorePagingCursor = false;
    sim.resetCalls();
  });

  it('creates an article, then updates it in place with the same articleSystemId', async () => {
    const first = await client.putArticle({ articleNumber: 'TSHIRT-RED-M', articleName: 'T-shirt Red M', barCodeInfo: { barCode: '7312345678901' }, weight: 0.21 });
    const again = await client.putArticle({ articleNumber: 'TSHIRT-RED-M', articleName: 'T-shirt Red M (new)', weight: 0.25 });
    expect(again.articleSystemId).toBe(first.articleSystemId);
    const [article] = await client.getArticlesPage({ articleNumbers: ['TSHIRT-RED-M'] });
    expect(article.articleName).toBe('T-shirt Red M (new)');
    expect(article.weight).toBe(0.25);
    expect(article.inventoryInfo).toMatchObject({ numberOfItems: 0, numberOfBookedItems: 0, sellableNumberOfItems: 0 });
    expect(sim.calls('PUT /articles')).toBe(2);
  });

  it('refuses to send an article whose key names are not Ongoing\'s, without calling Ongoing', async () => {
    const misspelt = { articleNumber: 'X-1', purchaseCurrencyCode: 'SEK' } as unknown as Parameters<OngoingClient['putArticle']>[0];
    await expect(client.putArticle(misspelt)).rejects.toBeInstanceOf(OngoingInvalidRequestError);
    await expect(client.putArticle(misspelt)).rejects.toMatchObject({ issues: ['(body): Unrecognized key: "purchaseCurrencyCode"'] });
    await expect(client.putArticle({ articleNumber: 'X-2', goodsOwnerId: GO + 1 })).rejects.toBeInstanceOf(OngoingInvalidRequestError);
    // zod's own English wording (zod/mini carries no locale of its own: shared/util/zod.ts sets it).
    const heavy = { articleNumber: 'X-3', weight: 'heavy' } as unknown as Parameters<OngoingClient['putArticle']>[0];
    await expect(client.putArticle(heavy)).rejects.toMatchObject({ issues: ['weight: Invalid input: expected number, received string'] });
    expect(sim.calls()).toBe(0);
  });

  it('reads stock per article: booked on order create, sellable = physical - booked and may go negative', async () => {
    await client.putArticle({ articleNumber: 'STOCK-1', articleName: 'Stock one' });
    sim.setStock(GO, 'STOCK-1', 3);
    await client.putOrder(order('BL-STOCK-1', [{ rowNumber: '1', articleNumber: 'STOCK-1', numberOfItems: 5 }]));
    const [article] = await client.getArticlesPage({ articleNumbers: ['STOCK-1'] });
    expect(article.inventoryInfo).toMatchObject({ numberOfItems: 3, numberOfBookedItems: 5, sellableNumberOfItems: -2 });
  });

  it('lists only articles whose stock changed since stockInfoChangedFrom', async () => {
    await client.putArticle({ articleNumber: 'DELTA-OLD' });
    await client.putArticle({ articleNumber: 'DELTA-NEW' });
    const since = new Date(Date.now() + 5);
    await new Promise((r) => setTimeout(r, 10));
    sim.setStock(GO, 'DELTA-NEW', 7);
    const changed: string[] = [];
    for await (const a of client.listArticles({ stockInfoChangedFrom: since })) changed.push(a.articleNumber);
    expect(changed).toEqual(['DELTA-NEW']);
  });

  describe('article paging', () => {
    let pager: OngoingClient;
    beforeAll(async () => {
      await startFresh();
    });
    async function startFresh() {
      for (let i = 1; i <= 7; i++) await client.putArticle({ articleNumber: `PAGE-${i}`, articleName: `Page ${i}` });
      pager = new OngoingClient({ ...demoClientSettings(sim.baseUrl), retry: fastRetry, pageSize: 3 });
    }

    it('follows the id cursor and stops on a short page, seeing every article once', async () => {
      const total = sim.state.articles.size;
      const seen: number[] = [];
      for await (const a of pager.listArticles()) seen.push(a.articleSystemId);
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(sim.calls('GET /articles')).toBe(Math.floor(total / 3) + 1);
      const cursors = sim.callLog.map((c) => new URL(c.path, 'http://x').searchParams.get('articleSystemIdFrom'));
      expect(cursors[0]).toBeNull();
      expect(cursors.slice(1).every((c) => c !== null && Number(c) > 0)).toBe(true);
    });

    it('stops on an empty page when the last page was exactly full', async () => {
      const exact = new OngoingClient({ ...demoClientSettings(sim.baseUrl), retry: fastRetry, pageSize: sim.state.articles.size });
      const pages: number[] = [];
      for await (const page of exact.listArticlePages()) pages.push(page.length);
      expect(pages).toEqual([sim.state.articles.size]);
      expect(sim.calls('GET /articles')).toBe(2);
    });

    it('throws instead of looping when Ongoing ignores the cursor', async () => {
      sim.settings.ignorePagingCursor = true;
      const seen: number[] = [];
      const run = async () => {
        for await (const a of pager.listArticles()) seen.push(a.articleSystemId);
      };
      await expect(run()).rejects.toBeInstanceOf(OngoingResponseError);
      expect(sim.calls('GET /articles')).toBe(2);
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('sends articleNumbers as repeated keys in chunks', async () => {
      const chunky = new OngoingClient({ ...demoClientSettings(sim.baseUrl), retry: fastRetry, numbersPerRequest: 3 });
      const numbers = ['PAGE-1', 'PAGE-2', 'PAGE-3', 'PAGE-4', 'PAGE-5', 'PAGE-1'];
      const found: string[] = [];
      for await (const a of chunky.listArticles({ articleNumbers: numbers })) found.push(a.articleNumber);
      expect(found.sort()).toEqual(['PAGE-1', 'PAGE-2', 'PAGE-3', 'PAGE-4', 'PAGE-5']);
      expect(sim.calls('GET /articles')).toBe(2);
      const first = new URL(sim.callLog[0].path, 'http://x').searchParams.getAll('articleNumbers');
      expect(first).toEqual(['PAGE-1', 'PAGE-2', 'PAGE-3']);
    });
  });

  describe('orders', () => {
    beforeAll(async () => {
      await client.putArticle({ articleNumber: 'SKU-1', articleName: 'One' });
      await client.putArticle({ articleNumber: 'SKU-2', articleName: 'Two' });
    });

    it('creates an order (created: true), then updates the same orderId (created: false)', async () => {
      const created = await client.putOrder(order('BL-100', [{ rowNumber: '5551', articleNumber: 'SKU-1', numberOfItems: 2 }]));
      expect(created.created).toBe(true);
      expect(created.message).toContain('Order number BL-100');
      const updated = await client.putOrder(
        order('BL-100', [
          { rowNumber: '5551', articleNumber: 'SKU-1', numberOfItems: 2 },
          { rowNumber: '5552', articleNumber: 'SKU-2', numberOfItems: 1 },
        ]),
      );
      expect(updated).toMatchObject({ orderId: created.orderId, created: false });
      const read = await client.getOrder(created.orderId);
      expect(read?.orderInfo).toMatchObject({ orderId: created.orderId, orderNumber: 'BL-100', orderStatus: { number: 200 }, servicePointCode: 'PL-WAW-123' });
      expect(read?.goodsOwner.id).toBe(GO);
      expect(read?.orderLines?.map((l) => [l.rowNumber, l.article.articleNumber, l.orderedNumberOfItems])).toEqual([
        ['5551', 'SKU-1', 2],
        ['5552', 'SKU-2', 1],
      ]);
      expect(read?.consignee).toMatchObject({ name: 'Anna Nowak', customerNumber: 'BL-100' });
    });

    it('returns null for an order id Ongoing does not know', async () => {
      expect(await client.getOrder(999_999)).toBeNull();
    });

    it('finds orders by number with repeated orderNumbers keys, chunked and paged', async () => {
      const numbers = ['BL-201', 'BL-202', 'BL-203', 'BL-204', 'BL-205'];
      for (const n of numbers) await client.putOrder(order(n, [{ rowNumber: '1', articleNumber: 'SKU-1', numberOfItems: 1 }]));
      sim.resetCalls();
      const small = new OngoingClient({ ...demoClientSettings(sim.baseUrl), retry: fastRetry, numbersPerRequest: 2, pageSize: 1 });
      const found = await small.getOrdersByNumbers([...numbers, 'BL-NOPE']);
      expect(found.map((o) => o.orderInfo.orderNumber).sort()).toEqual(numbers);
      const sent = sim.callLog.map((c) => new URL(c.path, 'http://x').searchParams.getAll('orderNumbers'));
      expect(sent.every((s) => s.length <= 2 && s.every((n) => !n.includes(',')))).toBe(true);
      // pageSize 1: each chunk takes one call per order found, plus the empty page that ends it
      expect(sim.calls('GET /orders')).toBe(3 + 3 + 2);
    });

    it('lists orders by status range across pages', async () => {
      const { orderId } = await client.putOrder(order('BL-300', [{ rowNumber: '1', articleNumber: 'SKU-2', numberOfItems: 1 }]));
      sim.setOrderStatus(orderId, 450);
      const pager = new OngoingClient({ ...demoClientSettings(sim.baseUrl), retry: fastRetry, pageSize: 2 });
      const sent: number[] = [];
      for await (const o of pager.listOrders({ orderStatusFrom: 450, orderStatusTo: 999 })) sent.push(o.orderInfo.orderId);
      expect(sent).toEqual([orderId]);
      const open: number[] = [];
      for await (const o of pager.listOrders({ orderStatusTo: 200 })) open.push(o.orderInfo.orderId);
      expect(open.length).toBeGreaterThan(2);
      expect(open).not.toContain(orderId);
    });

    it('cancels an open order (status 1000) and releases its booked stock', async () => {
      await client.putArticle({ articleNumber: 'CANCEL-1' });
      const { orderId } = await client.putOrder(order('BL-400', [{ rowNumber: '1', articleNumber: 'CANCEL-1', numberOfItems: 4 }]));
      expect((await client.getArticlesPage({ articleNumbers: ['CANCEL-1'] }))[0].inventoryInfo.numberOfBookedItems).toBe(4);
      const res = await client.cancelOrder(orderId);
      expect(res.orderId).toBe(orderId);
      expect((await client.getOrder(orderId))?.orderInfo.orderStatus.number).toBe(1000);
      expect((await client.getArticlesPage({ articleNumbers: ['CANCEL-1'] }))[0].inventoryInfo.numberOfBookedItems).toBe(0);
    });

    it('replaces a file with the same name instead of adding a second one', async () => {
      const { orderId } = await client.putOrder(order('BL-500', [{ rowNumber: '1', articleNumber: 'SKU-1', numberOfItems: 1 }]));
      const pdf1 = Buffer.from('%PDF-1.4 first').toString('base64');
      const pdf2 = Buffer.from('%PDF-1.4 second').toString('base64');
      const a = await client.putOrderFile(orderId, 'label-BL-500-1.pdf', { mimeType: 'application/pdf', dataBase64: pdf1 });
      const b = await client.putOrderFile(orderId, 'label-BL-500-1.pdf', { mimeType: 'application/pdf', dataBase64: pdf2 });
      expect(b.fileId).toBe(a.fileId);
      const files = await client.getOrderFiles(orderId);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatchObject({ fileId: a.fileId, fileName: 'label-BL-500-1.pdf', mimeType: 'application/pdf', fileDataBase64: pdf2 });
      expect(sim.callLog.find((c) => c.route === 'PUT /orders/{orderId}/files')?.path).toContain('fileName=label-BL-500-1.pdf');
    });

    it('prints through POST and PUT by id (printingInfo), never through the by-name upload, whose model lacks it', async () => {
      const { orderId } = await client.putOrder(order('BL-501', [{ rowNumber: '1', articleNumber: 'SKU-1', numberOfItems: 1 }]));
      const pdf = Buffer.from('%PDF-1.4 label').toString('base64');
      const printingInfo = { reportId: 7, printAsWorkstation: { workstationId: 3 } };
      const posted = await client.postOrderFile(orderId, 'label-BL-501-1.pdf', { mimeType: 'application/pdf', dataBase64: pdf, printingInfo });
      expect(sim.state.files.get(posted.fileId)).toMatchObject({ fileName: 'label-BL-501-1.pdf', printingInfo, printJobs: 1 });
      const replaced = await client.putOrderFileById(orderId, posted.fileId, 'label-BL-501-1.pdf', { mimeType: 'application/pdf', dataBase64: pdf, printingInfo });
      expect(replaced.fileId).toBe(posted.fileId);
      expect(await client.getOrderFiles(orderId)).toHaveLength(1);
      expect(sim.state.files.get(posted.fileId)).toMatchObject({ printingInfo, printJobs: 2 });

      // What a client sending printing info on the by-name upload meets: the key is dropped, nothing prints.
      const raw = await axios.put(
        `${sim.baseUrl}/orders/${orderId}/files?fileName=by-name.pdf`,
        { mimeType: 'application/pdf', fileDataBase64: pdf, advanced: { printingInfo } },
        { auth: { username: DEMO_API_USER.user, password: DEMO_API_USER.password } },
      );
      expect(sim.state.files.get((raw.data as { fileId: number }).fileId)?.printingInfo).toBeUndefined();
      expect(sim.callLog.at(-1)?.ignored).toEqual(['advanced']);
    });

    it('does not retry a POST of a file whose answer was lost (it would add a second file)', async () => {
      const { orderId } = await client.putOrder(order('BL-502', [{ rowNumber: '1', articleNumber: 'SKU-1', numberOfItems: 1 }]));
      sim.injectFault({ route: 'POST /orders/{orderId}/files', kind: 'answer-lost' });
      await expect(
        client.postOrderFile(orderId, 'label-BL-502-1.pdf', { mimeType: 'application/pdf', dataBase64: Buffer.from('%PDF').toString('base64') }),
      ).rejects.toThrow(/network error/);
      expect(sim.calls('POST /orders/{orderId}/files')).toBe(1);
      expect(await client.getOrderFiles(orderId)).toHaveLength(1);
    });

    it('writes tracking (upsert by waybill), patches the waybill and the remark', async () => {
      const { orderId } = await client.putOrder(order('BL-600', [{ rowNumber: '1', articleNumber: 'SKU-1', numberOfItems: 1 }]));
      sim.setOrderStatus(orderId, 450);
      await client.putOrderTracking(orderId, { waybill: '00370000000000001', trackingUrl: 'https://tracking.example/1', isReturnTracking: false });
      await client.putOrderTracking(orderId, { waybill: '00370000000000001', trackingUrl: 'https://tracking.example/1b', isReturnTracking: false });
      let read = await client.getOrder(orderId);
      expect(read?.tracking).toHaveLength(1);
      expect(read?.tracking?.[0]).toMatchObject({ waybill: '00370000000000001', trackingUrl: 'https://tracking.example/1b' });
      expect(read?.orderInfo.wayBill).toBe('00370000000000001');
      await client.patchWaybill(orderId, 'WB-2');
      await client.patchOrderRemark(orderId, 'Leave at the door');
      read = await client.getOrder(orderId);
      expect(read?.orderInfo.wayBill).toBe('WB-2');
      expect(read?.orderInfo.orderRemark).toBe('Leave at the door');
    });

    it('rejects tracking without a URL before sending it', async () => {
      await expect(client.putOrderTracking(1, { waybill: 'W', trackingUrl: '', isReturnTracking: false })).rejects.toBeInstanceOf(
        OngoingInvalidRequestError,
      );
      expect(sim.calls()).toBe(0);
    });
  });

  it('reads the status list and the transporter contracts', async () => {
    const statuses = await client.getOrderStatuses();
    expect(statuses.map((s) => s.number)).toEqual(expect.arrayContaining([200, 300, 400, 450, 500, 1000]));
    const contracts = await client.getTransporterContracts();
    expect(contracts[0]).toMatchObject({ transporterCode: 'PLAB', transporterServiceCode: 'P19' });
    expect(sim.callLog.at(-1)?.path).toContain(`goodsOwnerId=${GO}`);
  });

  it('counts every request it sends, per HTTP method', async () => {
    const counting = new OngoingClient({ ...demoClientSettings(sim.baseUrl), retry: fastRetry, onRequest: () => undefined });
    const seen: string[] = [];
    const observed = new OngoingClient({ ...demoClientSettings(sim.baseUrl), retry: fastRetry, onRequest: (m, p) => seen.push(`${m} ${p}`) });
    await counting.putArticle({ articleNumber: 'COUNT-1' });
    await counting.getArticlesPage({ articleNumbers: ['COUNT-1'] });
    await counting.getOrderStatuses();
    await observed.getOrderStatuses();
    expect(counting.requestCount).toBe(3);
    expect(counting.requestCountsByMethod).toMatchObject({ PUT: 1, GET: 2, DELETE: 0 });
    expect(seen).toEqual(['GET /orders/statuses']);
  });
});
