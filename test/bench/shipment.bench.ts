import { InMemoryBudget } from '../../shared/baselinker/budget';
import { createDynamoDocumentClient, createS3Client } from '../../shared/aws/clients';
import { createTenantServices } from '../../shared/lambda/wiring';
import { OngoingClient } from '../../shared/ongoing/client';
import { createShipmentWebhookHandler } from '../../shared/webhook';
import { startApiGateway } from '../../infra/local/api-gateway';
import { demoClientSettings } from '../../infra/simulators/ongoing';
import { orderAtTheDesk, startBenchWorld, type BenchSettings } from './harness.bench';
import { percentile } from './orders.bench';

export interface ShipmentResult {
  sends: number;
  ok: number;
  courierDelayMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  blCallsPerSend: number;
  /** BaseLinker calls per Send by method (what the average is made of). */
  blCallsByMethod: Record<string, number>;
  /**
   * The calls a Send cannot do without: getOrders (cancelled? what is owed on delivery? a shipment already?),
   * createPackage, getLabel (+ setOrderStatus when configured; not in this scenario).
   */
  minimumBlCallsPerSend: number;
  ongoingCallsPerSend: number;
}

/**
 * getOrders + createPackage + getLabel; setOrderStatus only when the tenant moves the status. getOrderPackages is
 * above it: before booking only when a package may exist, after it only while the courier's link pattern is not
 * yet trusted (the first two bookings of a courier per process, then one an hour); getCourierFields once a day.
 */
export const SEND_MINIMUM_BL_CALLS = 3;

const HEADER = 'X-Webhook-Secret';
const ROUTE = '/webhook/ongoing';

/**
 * Send -> label attached, on REAL time: both simulators sleep their latency (BaseLinker per request plus the
 * courier delay on createPackage, Ongoing per request), the webhook goes over HTTP through the local API
 * Gateway adapter to the real handler, which answers 200 once the label is on the Ongoing order. One Send at
 * a time (a warehouse desk), so the figure is the latency of one, not a queue.
 */
export async function shipmentScenario(settings: BenchSettings, sends: number): Promise<ShipmentResult> {
  const world = await startBenchWorld({
    // Printing on, as a warehouse runs it: the label goes up through the operations that carry printingInfo.
    tenant: { shipment: { courierCode: 'dpd', printing: { reportId: 7, workstationId: 3 } } },
    realLatency: { blMs: settings.blLatencyMs, ongoingMs: settings.ongoingLatencyMs, methodLatencyMs: { createPackage: settings.courierDelayMs } },
  });
  const dynamo = createDynamoDocumentClient();
  const s3 = createS3Client();
  const budget = new InMemoryBudget({ requestsPerMinute: 100_000, burst: 100_000 });
  const handler = createShipmentWebhookHandler({
    tenants: async () => [world.tenant],
    services: (tenant, options) => createTenantServices(tenant, world.runtime, { ...options, dynamo, s3, budget }),
  });
  const gateway = await startApiGateway({ routes: [{ method: 'POST', resource: ROUTE, handler }] });
  try {
    world.ongoing.settings.webhook = { url: `${gateway.url}${ROUTE}`, headerName: HEADER, headerValue: world.tenant.secrets.webhookSecret };
    world.tenant.shipment.webhookHeader = HEADER;
    const ongoing = new OngoingClient(demoClientSettings(world.ongoing.baseUrl));
    await ongoing.putArticle({ articleNumber: 'TSHIRT-M', articleName: 'T-shirt M', weight: 0.25 });
    const orders: number[] = [];
    for (let i = 0; i < sends; i++) {
      orders.push(await orderAtTheDesk(world, ongoing, { articleNumber: 'TSHIRT-M', numberOfItems: 2 }));
    }
    world.bl.resetCounters();
    world.ongoing.resetCalls();
    const times: number[] = [];
    let ok = 0;
    for (const orderId of orders) {
      const started = performance.now();
      const status = await world.ongoing.pressSend(orderId);
      times.push(performance.now() - started);
      const attached = [...world.ongoing.state.files.values()].some((f) => f.orderId === orderId);
      if (status === 200 && attached) ok++;
    }
    return {
      sends,
      ok,
      courierDelayMs: settings.courierDelayMs,
      p50Ms: percentile(times, 50),
      p95Ms: percentile(times, 95),
      maxMs: Math.max(...times),
      blCallsPerSend: world.bl.calls() / sends,
      blCallsByMethod: Object.fromEntries(
        [...new Set(world.bl.requests.map((r) => r.method))].sort().map((m) => [m, world.bl.calls(m) / sends]),
      ),
      minimumBlCallsPerSend: SEND_MINIMUM_BL_CALLS,
      // pressSend itself is not a call; what the handler asked of Ongoing.
      ongoingCallsPerSend: world.ongoing.calls() / sends,
    };
  } finally {
    await gateway.close();
    dynamo.destroy();
    s3.destroy();
    await world.close();
  }
}
