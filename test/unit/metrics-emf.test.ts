import { EmfMetrics, METRIC, METRICS_NAMESPACE } from '../../shared/observability/metrics';

/**
 * The EMF lines CloudWatch turns into metrics: the dashboard and the alarms (infra/cdk) read these namespaces,
 * dimension sets, units and values, so a line that is not exactly this shape is a metric that silently stops.
 */

interface EmfLine {
  _aws: { Timestamp: unknown; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

const disabledInTests = process.env.METRICS_DISABLED;
afterEach(() => {
  if (disabledInTests === undefined) delete process.env.METRICS_DISABLED;
  else process.env.METRICS_DISABLED = disabledInTests;
  jest.restoreAllMocks();
});

function emitted(fn: (metrics: EmfMetrics) => void): { lines: EmfLine[]; stderr: string } {
  const out: string[] = [];
  const err: string[] = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
  delete process.env.METRICS_DISABLED;
  fn(new EmfMetrics());
  jest.restoreAllMocks();
  // One line per write, each a whole JSON document ending in a newline.
  for (const chunk of out) expect(chunk).toMatch(/^\{.*\}\n$/);
  return { lines: out.map((chunk) => JSON.parse(chunk) as EmfLine), stderr: err.join('') };
}

describe('EmfMetrics', () => {
  it('writes one EMF line per point, at once, with the service, flow and tenant dimensions', () => {
    const before = Date.now();
    const { lines, stderr } = emitted((metrics) => {
      metrics.add(METRIC.itemsSeen, 'Count', 3, { flow: 'orders', tenant: 'shop-a' });
      metrics.add(METRIC.runDuration, 'Milliseconds', 1500, { flow: 'stock', tenant: 'shop-b' });
    });
    expect(lines).toHaveLength(2);
    const [seen, duration] = lines;
    expect(seen._aws.CloudWatchMetrics).toEqual([{ Namespace: METRICS_NAMESPACE, Dimensions: [['service', 'flow', 'tenant']], Metrics: [{ Name: 'ItemsSeen', Unit: 'Count' }] }]);
    expect(seen).toMatchObject({ service: 'ongoing-baselinker', flow: 'orders', tenant: 'shop-a', ItemsSeen: 3 });
    expect(duration._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'RunDurationMs', Unit: 'Milliseconds' }]);
    expect(duration).toMatchObject({ flow: 'stock', tenant: 'shop-b', RunDurationMs: 1500 });
    for (const line of lines) {
      expect(Object.keys(line).sort()).toEqual(['_aws', 'flow', 'service', 'tenant', line._aws.CloudWatchMetrics[0].Metrics[0].Name].sort());
      // Milliseconds since the epoch, as EMF requires (a Date or seconds would be dropped by CloudWatch).
      expect(typeof line._aws.Timestamp).toBe('number');
      expect(line._aws.Timestamp).toBeGreaterThanOrEqual(before);
      expect(line._aws.Timestamp).toBeLessThanOrEqual(Date.now());
    }
    expect(stderr).toBe('');
  });

  it('writes a fleet metric with the flow-only dimension set as well, which the fleet-wide alarms read', () => {
    const { lines, stderr } = emitted((metrics) => metrics.add(METRIC.setAsideOpen, 'Count', 2, { flow: 'orders', tenant: 'shop-a' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]._aws.CloudWatchMetrics).toEqual([
      { Namespace: METRICS_NAMESPACE, Dimensions: [['service', 'flow', 'tenant'], ['service', 'flow']], Metrics: [{ Name: 'SetAsideOpen', Unit: 'Count' }] },
    ]);
    expect(lines[0]).toMatchObject({ service: 'ongoing-baselinker', flow: 'orders', tenant: 'shop-a', SetAsideOpen: 2 });
    expect(typeof lines[0]._aws.Timestamp).toBe('number');
    // No warning about flow being in two dimension sets: that is the point of the second set.
    expect(stderr).toBe('');
  });

  it('writes nothing with METRICS_DISABLED=true (the local host, the CLI and the tests)', () => {
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    process.env.METRICS_DISABLED = 'true';
    new EmfMetrics().add(METRIC.itemsSeen, 'Count', 1, { flow: 'orders', tenant: 'shop-a' });
    expect(out).not.toHaveBeenCalled();
  });
});
