import { timingSafeEqual } from 'node:crypto';
import { headerValue, secretMatches } from '../../shared/webhook/auth';

jest.mock('node:crypto', () => {
  const actual = jest.requireActual('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

describe('webhook secret check', () => {
  it('accepts exactly the configured secret', () => {
    expect(secretMatches('s3cret-value', 's3cret-value')).toBe(true);
    expect(secretMatches('s3cret-valuE', 's3cret-value')).toBe(false);
    expect(secretMatches('s3cret-value ', 's3cret-value')).toBe(false);
    expect(secretMatches('', 's3cret-value')).toBe(false);
    expect(secretMatches(undefined, 's3cret-value')).toBe(false);
  });

  it('never accepts anything when no secret is configured', () => {
    expect(secretMatches('', '')).toBe(false);
    expect(secretMatches(undefined, '')).toBe(false);
  });

  it('compares equal-length digests in constant time, whatever length the caller sends', () => {
    const spy = timingSafeEqual as jest.MockedFunction<typeof timingSafeEqual>;
    spy.mockClear();
    expect(secretMatches('x', 'a-much-longer-configured-secret')).toBe(false);
    expect(secretMatches('a-much-longer-configured-secret-and-more', 'short')).toBe(false);
    expect(spy).toHaveBeenCalledTimes(2);
    for (const [a, b] of spy.mock.calls) expect((a as Buffer).length).toBe((b as Buffer).length);
  });
});

describe('webhook header lookup', () => {
  it('finds a header whatever its spelling, as API Gateway passes the sender’s', () => {
    expect(headerValue({ 'X-Webhook-Secret': 'v' }, undefined, 'x-webhook-secret')).toBe('v');
    expect(headerValue({ 'x-webhook-secret': 'v' }, null, 'X-WEBHOOK-SECRET')).toBe('v');
    expect(headerValue({ Other: 'v' }, null, 'x-webhook-secret')).toBeUndefined();
    expect(headerValue(null, null, 'x-webhook-secret')).toBeUndefined();
  });

  it('treats a header sent twice as absent, so a secret is never ambiguous', () => {
    expect(headerValue({ 'X-Webhook-Secret': 'b' }, { 'X-Webhook-Secret': ['a', 'b'] }, 'x-webhook-secret')).toBeUndefined();
    expect(headerValue({ 'X-Webhook-Secret': 'a' }, { 'X-Webhook-Secret': ['a'] }, 'x-webhook-secret')).toBe('a');
  });
});
