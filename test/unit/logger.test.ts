import { redact, rootLogger } from '../../shared/log/logger';

describe('logger', () => {
  it('replaces values under secret-looking keys at any depth', () => {
    const out = redact({ token: 'abc', nested: { password: 'p', ok: 1, list: [{ 'X-BLToken': 't' }] } });
    expect(out).toEqual({ token: '[redacted]', nested: { password: '[redacted]', ok: 1, list: [{ 'X-BLToken': '[redacted]' }] } });
  });

  it('never prints a secret-looking key in a log line', () => {
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const spyLog = jest.spyOn(console, 'info').mockImplementation((...args: unknown[]) => lines.push(args.join(' ')));
    const logger = rootLogger.createChild({ logLevel: 'INFO' });
    logger.info('calling', { webhookSecret: 'hunter2', user: 'u1' });
    spy.mockRestore();
    spyLog.mockRestore();
    const text = lines.join('\n');
    expect(text).toContain('u1');
    expect(text).not.toContain('hunter2');
  });
});

describe('logger for people (LOG_FORMAT=text)', () => {
  const capture = (fn: () => void): { out: string; err: string } => {
    const out: string[] = [];
    const err: string[] = [];
    const o = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
    const e = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
    const before = process.env.LOG_FORMAT;
    process.env.LOG_FORMAT = 'text';
    try {
      fn();
    } finally {
      process.env.LOG_FORMAT = before;
      o.mockRestore();
      e.mockRestore();
    }
    return { out: out.join(''), err: err.join('') };
  };

  it('writes one readable line per event on stderr, with flow, tenant and details, and nothing on stdout', () => {
    const { out, err } = capture(() => {
      const logger = rootLogger.createChild({ logLevel: 'INFO', persistentKeys: { flow: 'orders', tenant: 'shop-a', runId: 'r1' } });
      logger.warn('order set aside', { blOrderId: 123, webhookSecret: 'hunter2', error: new Error('Ongoing refused it') });
    });
    expect(out).toBe('');
    const lines = err.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\] WARN orders \[shop-a\]: order set aside \(.*blOrderId 123.*\)$/);
    expect(lines[0]).toContain('error Ongoing refused it');
    expect(lines[0]).not.toContain('hunter2');
    expect(lines[0]).not.toContain('{"');
  });
});
