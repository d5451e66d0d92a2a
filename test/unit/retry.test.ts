import { backoffDelay, withRetry } from '../../shared/util/retry';

const fast = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 };

describe('withRetry', () => {
  it('retries a transient failure and returns the later success', async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new Error('flaky');
        return 'ok';
      },
      () => ({ retry: true }),
      fast,
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('never retries an error classified as permanent', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new Error('400 bad request');
        },
        () => ({ retry: false }),
        fast,
      ),
    ).rejects.toThrow('400 bad request');
    expect(calls).toBe(1);
  });

  it('gives up after the configured number of attempts', async () => {
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw new Error('down'); }, () => ({ retry: true }), fast)).rejects.toThrow('down');
    expect(calls).toBe(3);
  });

  it('keeps backoff under the exponential ceiling for each attempt', () => {
    const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, policy, () => 0.999)).toBeLessThan(100);
    expect(backoffDelay(3, policy, () => 0.999)).toBeLessThan(400);
    expect(backoffDelay(9, policy, () => 0.999)).toBeLessThan(1000);
  });
});
