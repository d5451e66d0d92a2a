import { forgetCustomerData, protectCustomerData, redact, rootLogger, scrubText } from '../../shared/log/logger';

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

describe('customer data redaction', () => {
  afterEach(() => forgetCustomerData());

  it('replaces customer fields by key, in BaseLinker and Ongoing spelling, at any depth', () => {
    const out = redact({ order: { email: 'a@b.pl', delivery_fullname: 'Jan Kowalski', delivery_method: 'DPD', consignee: { name: 'Jan' }, invoice_nip: '123' }, lines: [{ mobilePhone: '600' }] });
    expect(out).toEqual({ order: { email: '[redacted]', delivery_fullname: '[redacted]', delivery_method: 'DPD', consignee: '[redacted]', invoice_nip: '[redacted]' }, lines: [{ mobilePhone: '[redacted]' }] });
  });

  it('replaces e-mails (malformed ones too), phone numbers and postcodes by their shape inside any text', () => {
    expect(scrubText('bad address jan..kowalski@@poczta, tel. +48 600-700-800 or 600 700 800, 00-950 Warszawa')).toBe(
      'bad address [email], tel. [phone] or [phone], [postcode] Warszawa',
    );
  });

  it('leaves timestamps, ids and durations alone', () => {
    const text = 'order 90001234 at 2026-12-01T20:33:52.123Z+01:00, run 3f020a37-0c25-4d1b-9e2f-12345678abcd, 1500 ms, package 555123';
    expect(scrubText(text)).toBe(text);
  });

  it('replaces the customer values of orders read, which have no shape (a name, a street)', () => {
    expect(scrubText('Courier: Zofia Przybylska, ul. Wiosenna 17 out of range')).toContain('Przybylska');
    protectCustomerData([{ delivery_fullname: 'Zofia Przybylska', delivery_address: 'ul. Wiosenna 17', order_id: 5, delivery_method: 'DPD' }]);
    expect(scrubText('Courier: Zofia Przybylska, ul. Wiosenna 17 out of range (DPD)')).toBe('Courier: [customer], [customer] out of range (DPD)');
  });

  it('keeps a malformed e-mail out of a log line, in the message, in an extra key and in an error', () => {
    const lines: string[] = [];
    const capture = (chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    };
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    const logger = rootLogger.createChild({ logLevel: 'INFO' });
    logger.info('mail jan..kowalski@@poczta bounced', { note: 'to jan..kowalski@@poczta', email: 'jan..kowalski@@poczta' });
    logger.error('failed', { error: new Error('Ongoing refused: jan..kowalski@@poczta is not an e-mail') });
    out.mockRestore();
    err.mockRestore();
    const text = lines.join('\n');
    expect(text).toContain('bounced');
    expect(text).toContain('is not an e-mail');
    expect(text).not.toContain('kowalski');
  });
});
