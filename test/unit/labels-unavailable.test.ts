import { LabelsUnavailableError, labelKey, unavailableLabels } from '../../shared/labels';
import { noLabels, s3Labels, s3LabelsOnFirstLabel, tenantServicesWith } from '../../shared/lambda/wiring';
import { InMemoryBudget } from '../../shared/baselinker/budget';
import { LabelStore } from '../../shared/labels';
import { parseTenantSettings } from '../../shared/config';

describe('label storage in functions that handle no labels', () => {
  it('refuses every read and write with an error naming the bucket and the functions that do handle labels', async () => {
    const labels = unavailableLabels('labels-bucket');
    const key = labels.labelKey('t', 1, 2, 'pdf');
    await expect(labels.put(key, Buffer.from('x'), 'application/pdf')).rejects.toBeInstanceOf(LabelsUnavailableError);
    await expect(labels.get(key)).rejects.toThrow(/labels-bucket.*only the shipment and tracking functions/);
    await expect(labels.exists(key)).rejects.toHaveProperty('name', 'LabelsUnavailableError');
  });

  it('still makes the same label keys as the S3 store', () => {
    expect(unavailableLabels('b').labelKey('shop-a', 10, 'P/1', '.PDF')).toBe(labelKey('shop-a', 10, 'P/1', '.PDF'));
  });
});

describe('tenantServicesWith', () => {
  const tenant = {
    ...parseTenantSettings({ id: 'shop-a', baselinker: { inventoryId: 1, orderStatusIds: [1] }, ongoing: { url: 'http://127.0.0.1:1/api/v1/', goodsOwnerId: 42 } }),
    secrets: { baselinkerToken: 'tok', ongoingUser: 'u', ongoingPassword: 'p', webhookSecret: 's' },
  };
  const runtime = { tableName: 'table', labelsBucket: 'labels-bucket' };
  const dynamo = {} as never;
  const budget = new InMemoryBudget({ requestsPerMinute: 100 });

  it.each([
    ['s3Labels', s3Labels],
    ['s3LabelsOnFirstLabel', s3LabelsOnFirstLabel],
  ])('wires an S3 label store on the labels bucket with %s, opened on the first label, on the client given', async (_name, wiring) => {
    const sent: { name: string; input: Record<string, unknown> }[] = [];
    const s3 = { send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => (sent.push({ name: command.constructor.name, input: command.input }), {}) };
    const services = tenantServicesWith(wiring)(tenant, runtime, { dynamo, budget, s3: s3 as never });
    expect(services.labels.bucket).toBe('labels-bucket');
    expect(sent).toEqual([]);
    await services.labels.put('labels/x.pdf', Buffer.from('%PDF'), 'application/pdf');
    expect(sent).toEqual([{ name: 'PutObjectCommand', input: expect.objectContaining({ Bucket: 'labels-bucket', Key: 'labels/x.pdf', ContentType: 'application/pdf' }) }]);
  });

  it('wires the refusing store with noLabels', async () => {
    const services = tenantServicesWith(noLabels)(tenant, runtime, { dynamo, budget });
    expect(services.labels).not.toBeInstanceOf(LabelStore);
    await expect(services.labels.exists('labels/x')).rejects.toBeInstanceOf(LabelsUnavailableError);
  });
});
