import http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios, { type AxiosResponse } from 'axios';
import {
  DEMO_API_USER,
  DEMO_GOODS_OWNER,
  demoSimulatorOptions,
  type OngoingSimulator,
  startOngoingSimulator,
} from '../../infra/simulators/ongoing';

/** The simulator on its own, over raw HTTP: the behaviours a client has to cope with. */

const GO = DEMO_GOODS_OWNER.id;
const OTHER_GO = 77;

function api(sim: OngoingSimulator, user = DEMO_API_USER.user, password = DEMO_API_USER.password) {
  const http = axios.create({ baseURL: sim.baseUrl, auth: { username: user, password }, validateStatus: () => true, adapter: 'http' });
  return {
    get: (path: string): Promise<AxiosResponse> => http.get(path),
    put: (path: string, body: unknown): Promise<AxiosResponse> => http.put(path, body),
    patch: (path: string, body: unknown): Promise<AxiosResponse> => http.patch(path, body),
    del: (path: string): Promise<AxiosResponse> => http.delete(path),
  };
}

function orderBody(orderNumber: string, lines: unknown[] = [{ rowNumber: '1', articleNumber: 'A-1', numberOfItems: 2 }], extra: object = {}) {
  return {
    goodsOwnerId: GO,
    orderNumber,
    deliveryDate: '2025-03-04',
    consignee: { customerNumber: `C-${orderNumber}`, name: 'Anna Nowak', countryCode: 'PL' },
    orderLines: lines,
    ...extra,
  };
}

describe('Ongoing simulator', () => {
  let sim: OngoingSimulator;
  let ong: ReturnType<typeof api>;

  beforeAll(async () => {
    sim = await startOngoingSimulator(
      demoSimulatorOptions({
        goodsOwners: [DEMO_GOODS_OWNER, { id: OTHER_GO, name: 'Other shop' }],
        users: [DEMO_API_USER, { user: 'other-user', password: 'other-password', goodsOwnerIds: [OTHER_GO] }],
      }),
    );
    ong = api(sim);
    for (const n of ['A-1', 'A-2', 'A-3', 'A-4']) {
      expect((await ong.put('/articles', { goodsOwnerId: GO, articleNumber: n, articleName: `Article ${n}` })).status).toBe(200);
    }
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.settings.errorShape = 'Message';
    sim.settings.orderCreatedStatus = 201;
    sim.settings.lockedFromStatus = 300;
    sim.rateLimiter.config = {};
    sim.rateLimiter.reset();
  });

  describe('auth and goods owners', () => {
    it('answers 401 to a wrong password and to no credentials', async () => {
      expect((await api(sim, DEMO_API_USER.user, 'wrong').get(`/articles?goodsOwnerId=${GO}`)).status).toBe(401);
      const anonymous = await axios.get(`${sim.baseUrl}/articles?goodsOwnerId=${GO}`, { validateStatus: () => true, adapter: 'http' });
      expect(anonymous.status).toBe(401);
    });

    it("refuses another goods owner's id in a query or body, and hides its orders", async () => {
      const other = api(sim, 'other-user', 'other-password');
      expect((await other.get(`/articles?goodsOwnerId=${GO}`)).status).toBe(403);
      expect((await other.put('/articles', { goodsOwnerId: GO, articleNumber: 'HIJACK' })).status).toBe(403);
      const created = await ong.put('/orders', orderBody('SIM-OWN'));
      expect((await other.get(`/orders/${created.data.orderId}`)).status).toBe(404);
    });

    it('answers 404 outside the warehouse base path', async () => {
      const res = await axios.get(`http://127.0.0.1:${sim.port}/otherwarehouse/api/v1/articles`, { validateStatus: () => true, adapter: 'http' });
      expect(res.status).toBe(404);
      expect(res.data.Message).toContain('No HTTP resource');
    });
  });

  describe('ids, upserts and paging', () => {
    it('keeps separate id sequences and upserts articles by number', async () => {
      const again = await ong.put('/articles', { goodsOwnerId: GO, articleNumber: 'A-1', articleName: 'Renamed' });
      const list = (await ong.get(`/articles?goodsOwnerId=${GO}&articleNumber=A-1`)).data;
      expect(list).toHaveLength(1);
      expect(list[0].articleSystemId).toBe(again.data.articleSystemId);
      const order = await ong.put('/orders', orderBody('SIM-IDS'));
      expect(order.data.orderId).not.toBe(again.data.articleSystemId);
      expect(order.data.message).toMatch(/Customer with customer number 'C-SIM-IDS' and ID '\d+' created\. <br\/> <br\/>Order number SIM-IDS created\/updated/);
    });

    it('reads a comma-joined value as ONE value; repeated keys as several', async () => {
      expect((await ong.get(`/articles?goodsOwnerId=${GO}&articleNumbers=A-1,A-2`)).data).toEqual([]);
      const repeated = (await ong.get(`/articles?goodsOwnerId=${GO}&articleNumbers=A-1&articleNumbers=A-2`)).data;
      expect(repeated.map((a: { articleNumber: string }) => a.articleNumber)).toEqual(['A-1', 'A-2']);
    });

    it('pages by id cursor (>=, capped, ascending) and ignores page/pageSize/offset', async () => {
      const all = (await ong.get(`/articles?goodsOwnerId=${GO}`)).data as Array<{ articleSystemId: number }>;
      const ids = all.map((a) => a.articleSystemId);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      const from = (await ong.get(`/articles?goodsOwnerId=${GO}&articleSystemIdFrom=${ids[1]}&maxArticlesToGet=2`)).data;
      expect(from.map((a: { articleSystemId: number }) => a.articleSystemId)).toEqual(ids.slice(1, 3));
      const naive = (await ong.get(`/articles?goodsOwnerId=${GO}&page=2&pageSize=1&offset=3`)).data;
      expect(naive).toHaveLength(ids.length);
    });

    it('answers PUT /orders with 201 on create and 200 on update, or 200 for both when configured', async () => {
      expect((await ong.put('/orders', orderBody('SIM-201'))).status).toBe(201);
      expect((await ong.put('/orders', orderBody('SIM-201'))).status).toBe(200);
      sim.settings.orderCreatedStatus = 200;
      expect((await ong.put('/orders', orderBody('SIM-200'))).status).toBe(200);
    });

    it('replaces order lines by rowNumber, keeping the line id of a kept row', async () => {
      const first = await ong.put('/orders', orderBody('SIM-LINES', [
        { rowNumber: '1', articleNumber: 'A-1', numberOfItems: 1 },
        { rowNumber: '2', articleNumber: 'A-2', numberOfItems: 1 },
      ]));
      const before = (await ong.get(`/orders/${first.data.orderId}`)).data.orderLines;
      await ong.put('/orders', orderBody('SIM-LINES', [
        { rowNumber: '2', articleNumber: 'A-2', numberOfItems: 3 },
        { rowNumber: '3', articleNumber: 'A-3', numberOfItems: 1 },
      ]));
      const after = (await ong.get(`/orders/${first.data.orderId}`)).data.orderLines;
      expect(after.map((l: { rowNumber: string }) => l.rowNumber)).toEqual(['2', '3']);
      expect(after[0].id).toBe(before[1].id);
      expect(after[0].orderedNumberOfItems).toBe(3);
    });
  });

  describe('validation', () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['a missing orderNumber', { ...orderBody('x'), orderNumber: '' }, /OrderNumber field is required/],
      ['an unknown article on a line', orderBody('SIM-V1', [{ rowNumber: '1', articleNumber: 'NOPE', numberOfItems: 1 }]), /'NOPE' does not exist/],
      [
        'a duplicate rowNumber',
        orderBody('SIM-V2', [
          { rowNumber: '1', articleNumber: 'A-1', numberOfItems: 1 },
          { rowNumber: '1', articleNumber: 'A-2', numberOfItems: 1 },
        ]),
        /Duplicate RowNumber '1'/,
      ],
      ['an orderNumber over 50 characters', orderBody('N'.repeat(51)), /OrderNumber must be a string with a maximum length of 50/],
      ['an orderRemark over 500 characters', orderBody('SIM-V3', undefined, { orderRemark: 'r'.repeat(501) }), /maximum length of 500/],
      ['a servicePointCode over 50 characters', orderBody('SIM-V4', undefined, { servicePointCode: 's'.repeat(51) }), /ServicePointCode/],
      ['a line without items', orderBody('SIM-V5', [{ rowNumber: '1', articleNumber: 'A-1', numberOfItems: 0 }]), /NumberOfItems/],
    ];
    it.each(cases)('refuses an order with %s (400 with text) and stores nothing', async (_what, body, text) => {
      const ordersBefore = sim.state.orders.size;
      const res = await ong.put('/orders', body);
      expect(res.status).toBe(400);
      expect(res.data.Message).toMatch(text);
      expect(sim.state.orders.size).toBe(ordersBefore);
    });

    it('gives ASP.NET ModelState or a lower-case message when switched', async () => {
      sim.settings.errorShape = 'ModelState';
      const model = await ong.put('/orders', { ...orderBody('x'), orderNumber: '' });
      expect(model.data).toEqual({ Message: 'The request is invalid.', ModelState: { 'order.orderNumber': ['The OrderNumber field is required.'] } });
      sim.settings.errorShape = 'message';
      const lower = await ong.put('/articles', { goodsOwnerId: GO, articleNumber: '  ' });
      expect(lower.status).toBe(400);
      expect(lower.data).toEqual({ message: 'The ArticleNumber field is required.' });
    });

    it('refuses stockInfoChangedFrom older than 24 h and orderUpdatedTimeFrom older than 2 days', async () => {
      const old = new Date(Date.now() - 25 * 3600_000).toISOString();
      const stock = await ong.get(`/articles?goodsOwnerId=${GO}&stockInfoChangedFrom=${encodeURIComponent(old)}`);
      expect(stock.status).toBe(400);
      expect(stock.data.Message).toContain('24 hours');
      const recent = new Date(Date.now() - 23 * 3600_000).toISOString();
      expect((await ong.get(`/articles?goodsOwnerId=${GO}&stockInfoChangedFrom=${encodeURIComponent(recent)}`)).status).toBe(200);
      const older = new Date(Date.now() - 49 * 3600_000).toISOString();
      expect((await ong.get(`/orders?goodsOwnerId=${GO}&orderUpdatedTimeFrom=${encodeURIComponent(older)}`)).status).toBe(400);
    });
  });

  describe('order lifecycle and stock', () => {
    it('books on create, takes stock out on pick, stamps shippedTime at 450', async () => {
      await ong.put('/articles', { goodsOwnerId: GO, articleNumber: 'LIFE-1' });
      sim.setStock(GO, 'LIFE-1', 10);
      const { orderId } = (await ong.put('/orders', orderBody('SIM-LIFE', [{ rowNumber: '1', articleNumber: 'LIFE-1', numberOfItems: 4 }]))).data;
      const stock = async () => (await ong.get(`/articles?goodsOwnerId=${GO}&articleNumber=LIFE-1`)).data[0].inventoryInfo;
      expect(await stock()).toMatchObject({ numberOfItems: 10, numberOfBookedItems: 4, sellableNumberOfItems: 6 });
      sim.setOrderStatus(orderId, 400);
      expect(await stock()).toMatchObject({ numberOfItems: 6, numberOfBookedItems: 0, sellableNumberOfItems: 6 });
      sim.setOrderStatus(orderId, 450);
      const order = (await ong.get(`/orders/${orderId}`)).data;
      expect(order.orderInfo.orderStatus.number).toBe(450);
      expect(order.orderInfo.shippedTime).toMatch(/Z$/);
      expect(order.orderLines[0].pickedNumberOfItems).toBe(4);
    });

    it('refuses update and cancel from the configured status on, and cancels below it', async () => {
      sim.settings.lockedFromStatus = 400;
      const { orderId } = (await ong.put('/orders', orderBody('SIM-LOCK'))).data;
      sim.setOrderStatus(orderId, 300);
      expect((await ong.put('/orders', orderBody('SIM-LOCK'))).status).toBe(200);
      sim.setOrderStatus(orderId, 400);
      const refused = await ong.put('/orders', orderBody('SIM-LOCK'));
      expect(refused.status).toBe(400);
      expect(refused.data.Message).toContain('can not be updated');
      expect((await ong.del(`/orders/${orderId}`)).status).toBe(400);

      const open = (await ong.put('/orders', orderBody('SIM-CANCEL'))).data.orderId;
      expect((await ong.del(`/orders?goodsOwnerId=${GO}&orderNumber=SIM-CANCEL`)).status).toBe(200);
      expect((await ong.get(`/orders/${open}`)).data.orderInfo.orderStatus.number).toBe(1000);
      const twice = await ong.del(`/orders/${open}`);
      expect(twice.status).toBe(400);
      expect(twice.data.Message).toContain('already cancelled');
    });
  });

  describe('rate limits', () => {
    it('answers 429 past the volume limit, per route and per client, with Retry-After when configured', async () => {
      sim.rateLimiter.config = { routes: { 'GET /orders/statuses': { volume: { limit: 2, windowMs: 60_000 }, retryAfterSeconds: 30 } } };
      expect((await ong.get('/orders/statuses')).status).toBe(200);
      expect((await ong.get('/orders/statuses')).status).toBe(200);
      const limited = await ong.get('/orders/statuses');
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBe('30');
      expect((await ong.get(`/articles?goodsOwnerId=${GO}`)).status).toBe(200);
      expect((await api(sim, 'other-user', 'other-password').get('/orders/statuses')).status).toBe(200);
    });

    it('answers 429 after N failures in a row, and a success in between resets the count', async () => {
      sim.rateLimiter.config = { default: { consecutiveFailures: { limit: 2, windowMs: 60_000 } } };
      const bad = orderBody('SIM-RL', [{ rowNumber: '1', articleNumber: 'NOPE', numberOfItems: 1 }]);
      expect((await ong.put('/orders', bad)).status).toBe(400);
      expect((await ong.put('/orders', orderBody('SIM-RL-OK'))).status).toBeLessThan(300);
      expect((await ong.put('/orders', bad)).status).toBe(400);
      expect((await ong.put('/orders', bad)).status).toBe(400);
      expect((await ong.put('/orders', orderBody('SIM-RL-OK'))).status).toBe(429);
    });
  });

  describe('webhooks', () => {
    let receiver: http.Server;
    let received: Array<{ headers: http.IncomingHttpHeaders; body: Record<string, unknown> }>;
    let answer = 200;

    beforeAll(async () => {
      received = [];
      receiver = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          res.writeHead(answer).end();
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
      sim.settings.webhook = {
        url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/ongoing`,
        headerName: 'X-Auth-Token',
        headerValue: 'test-webhook-value',
      };
    });
    afterAll(async () => {
      receiver.closeAllConnections();
      await new Promise<void>((r) => receiver.close(() => r()));
    });

    it('pressSend moves the order to 450 and POSTs the order webhook with the configured header', async () => {
      const { orderId } = (await ong.put('/orders', orderBody('SIM-SEND', undefined, { goodsOwnerOrderId: '100234' }))).data;
      expect(await sim.pressSend(orderId)).toBe(200);
      expect(received).toHaveLength(1);
      expect(received[0].headers['x-auth-token']).toBe('test-webhook-value');
      expect(received[0].body).toMatchObject({
        orderId,
        orderNumber: 'SIM-SEND',
        goodsOwnerId: GO,
        goodsOwnerOrderId: '100234',
        orderStatus: { number: 450 },
        system: sim.warehouse,
        webhookOrdersId: 12,
      });
      expect(received[0].body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$/);
      expect(sim.state.orders.get(orderId)?.status).toBe(450);
    });

    it('gives each event a higher webhookEventId, re-delivers one with the same id, and reports the receiver status', async () => {
      const a = (await ong.put('/orders', orderBody('SIM-SEND-A'))).data.orderId;
      const b = (await ong.put('/orders', orderBody('SIM-SEND-B'))).data.orderId;
      received.length = 0;
      await sim.pressSend(a);
      await sim.pressSend(b);
      answer = 503;
      expect(await sim.redeliverWebhook()).toBe(503);
      answer = 200;
      const [first, second, again] = received.map((r) => r.body);
      expect(second.webhookEventId as number).toBeGreaterThan(first.webhookEventId as number);
      expect(again).toEqual(second);
      expect(sim.webhookDeliveries.slice(-1)[0]).toMatchObject({ orderId: b, status: 503 });
    });
  });
});
