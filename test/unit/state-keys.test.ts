import { boundedJson, boundedText } from '../../shared/state/bounded';
import { keys, tableDefinition, TTL_ATTRIBUTE } from '../../shared/state/table';

describe('state keys', () => {
  it('keeps every kind of record of one tenant in its own partition', () => {
    const pks = new Set([
      keys.cursor('acme', 'x').pk,
      keys.article('acme', 'x').pk,
      keys.order('acme', 'x').pk,
      keys.shipment('acme', 'x').pk,
      keys.setAside('acme', 'order', 'x').pk,
      keys.event('acme', 'x').pk,
      keys.run('acme', 'x').pk,
      keys.lease('x').pk,
      keys.budget('x').pk,
    ]);
    expect(pks.size).toBe(9);
  });

  it('cannot mix up tenants whose ids contain the separator', () => {
    // "a#ORDER" as a tenant must not land in tenant "a"'s order partition.
    expect(keys.article('a#ORDER', '1').pk).not.toBe(keys.order('a', '1').pk);
    expect(keys.order('a#ORDER', '1').pk).toBe('TENANT#a#ORDER#ORDER');
    expect(keys.setAside('t', 'order', '42').sk).toBe('order#42');
  });

  it('refuses empty key parts instead of writing an unreachable item', () => {
    expect(() => keys.order('', '1')).toThrow(/tenant/);
    expect(() => keys.order('t', '')).toThrow(/order id/);
    expect(() => keys.lease('')).toThrow(/lease name/);
  });

  it('defines the table with string pk/sk and on-demand billing', () => {
    const def = tableDefinition('state');
    expect(def.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(def.AttributeDefinitions?.every((a) => a.AttributeType === 'S')).toBe(true);
    expect(def.BillingMode).toBe('PAY_PER_REQUEST');
    expect(TTL_ATTRIBUTE).toBe('expiresAt');
  });
});

describe('bounded payloads', () => {
  it('keeps small payloads as plain JSON', () => {
    expect(boundedJson({ a: 1 })).toBe('{"a":1}');
    expect(boundedJson('already text')).toBe('already text');
    expect(boundedText('short')).toBe('short');
  });

  it('cuts a long payload to the byte budget with a visible marker', () => {
    const out = boundedJson({ s: 'y'.repeat(5000) }, 1000);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(1000);
    expect(out.startsWith('{"s":"yyy')).toBe(true);
    expect(out).toMatch(/…\[truncated: 5008 bytes in total, kept the first part\]$/);
  });

  it('never leaves half a multi-byte character at the cut', () => {
    const out = boundedText('ż'.repeat(3000), 200);
    expect(out).not.toContain('\uFFFD');
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(200);
  });

  it('survives values JSON cannot represent', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(boundedJson(cyclic)).toMatch(/^\[not serialisable: /);
    expect(boundedJson(undefined)).toBe('undefined');
  });
});
