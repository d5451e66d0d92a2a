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
