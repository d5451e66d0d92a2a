import { forgetCustomerData, protectCustomerData, redact, rootLogger, scrubText, type Log } from '../../shared/log/logger';

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

describe('JSON log lines', () => {
  // The shape CloudWatch Logs Insights queries filter on (level, tenant, flow, runId, error.name ...).
  const written = (fn: () => void): { out: Record<string, unknown>[]; err: Record<string, unknown>[] } => {
    const out: string[] = [];
    const err: string[] = [];
    const o = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
    const e = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
    try {
      fn();
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
    // One whole JSON document per write, one line each.
    for (const chunk of [...out, ...err]) expect(chunk).toMatch(/^\{[^\n]*\}\n$/);
    return { out: out.map((c) => JSON.parse(c) as Record<string, unknown>), err: err.map((c) => JSON.parse(c) as Record<string, unknown>) };
  };
  const orders = (): Log => rootLogger.createChild({ logLevel: 'INFO', persistentKeys: { tenant: 'shop-a', flow: 'orders', runId: 'r1' } });

  it('writes level, message, timestamp and service first, then the persistent keys and the extras, on stdout', () => {
    const { out, err } = written(() => orders().info('hello', { n: 1, empty: '', none: null, gone: undefined }));
    expect(err).toEqual([]);
    expect(out).toHaveLength(1);
    expect(Object.keys(out[0]!)).toEqual(['level', 'message', 'timestamp', 'service', 'tenant', 'flow', 'runId', 'n']);
    expect(out[0]).toMatchObject({ level: 'INFO', message: 'hello', service: 'ongoing-baselinker', tenant: 'shop-a', flow: 'orders', runId: 'r1', n: 1 });
    expect(new Date(out[0]!.timestamp as string).toISOString()).toBe(out[0]!.timestamp);
  });

  it('writes WARN and ERROR on stderr, an Error as error {name, location, message, stack}, a string as extra', () => {
    const boom = new Error('boom');
    const { out, err } = written(() => {
      const log = orders();
      log.warn('careful', 'read the runbook');
      log.error('failed', boom);
      log.error('failed again', { error: new TypeError('bad type'), blOrderId: 7 });
    });
    expect(out).toEqual([]);
    expect(err.map((line) => line.level)).toEqual(['WARN', 'ERROR', 'ERROR']);
    expect(err[0]).toMatchObject({ message: 'careful', extra: 'read the runbook' });
    expect(err[1]!.error).toEqual({ name: 'Error', location: expect.stringMatching(/logger\.test\.ts:\d+$/), message: 'boom', stack: boom.stack });
    expect(err[2]).toMatchObject({ error: { name: 'TypeError', message: 'bad type', location: expect.stringMatching(/logger\.test\.ts:\d+$/) }, blOrderId: 7 });
  });

  it('carries the X-Ray trace id of the invocation when Lambda sets one', () => {
    const before = process.env._X_AMZN_TRACE_ID;
    process.env._X_AMZN_TRACE_ID = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    try {
      const { out } = written(() => orders().info('traced'));
      expect(out[0]!.xray_trace_id).toBe('1-5759e988-bd862e3fe1be46a994272793');
      expect(Object.keys(out[0]!).indexOf('xray_trace_id')).toBe(4);
    } finally {
      if (before === undefined) delete process.env._X_AMZN_TRACE_ID;
      else process.env._X_AMZN_TRACE_ID = before;
    }
  });

  it('keeps the line shape: a key named like one of the first four is dropped, with a warning', () => {
    const { out, err } = written(() => orders().info('real message', { message: 'other', level: 'ERROR', kept: true }));
    expect(out).toEqual([expect.objectContaining({ level: 'INFO', message: 'real message', kept: true })]);
    expect(err.map((line) => line.message)).toEqual(['The key "message" is a reserved key and will be dropped.', 'The key "level" is a reserved key and will be dropped.']);
  });

  it('writes a line when its level is at or above the logger\'s; a child starts at its parent\'s level', () => {
    const { out, err } = written(() => {
      const parent = rootLogger.createChild({ logLevel: 'WARN' });
      parent.info('not written');
      const child = parent.createChild({ persistentKeys: { flow: 'stock' } });
      child.warn('written');
      parent.setLogLevel('DEBUG');
      parent.debug('written too');
      child.info('child still at WARN');
      child.setLogLevel('SILENT');
      child.error('silent');
    });
    expect(out.map((line) => line.message)).toEqual(['written too']);
    expect(err.map((line) => line.message)).toEqual(['written']);
    expect(err[0]!.flow).toBe('stock');
  });

  it('takes its first level from LOG_LEVEL, in any case; Lambda\'s AWS_LAMBDA_LOG_LEVEL wins over it and over setLogLevel', () => {
    const before = { LOG_LEVEL: process.env.LOG_LEVEL, AWS_LAMBDA_LOG_LEVEL: process.env.AWS_LAMBDA_LOG_LEVEL };
    const fresh = (env: Record<string, string | undefined>): Log => {
      Object.assign(process.env, env);
      for (const [key, value] of Object.entries(env)) if (value === undefined) delete process.env[key];
      let logger: Log | undefined;
      jest.isolateModules(() => {
        logger = (require('../../shared/log/logger') as typeof import('../../shared/log/logger')).rootLogger;
      });
      return logger!;
    };
    try {
      const { out: debug } = written(() => fresh({ LOG_LEVEL: 'debug', AWS_LAMBDA_LOG_LEVEL: undefined }).debug('debug line'));
      expect(debug.map((line) => line.message)).toEqual(['debug line']);
      const { out: byDefault } = written(() => {
        const logger = fresh({ LOG_LEVEL: undefined, AWS_LAMBDA_LOG_LEVEL: undefined });
        logger.debug('not written');
        logger.info('info line');
      });
      expect(byDefault.map((line) => line.message)).toEqual(['info line']);
      const { out, err } = written(() => {
        const logger = fresh({ LOG_LEVEL: 'DEBUG', AWS_LAMBDA_LOG_LEVEL: 'ERROR' });
        logger.setLogLevel('DEBUG');
        logger.createChild({ logLevel: 'INFO' }).warn('not written');
        logger.error('error line');
      });
      expect(out).toEqual([]);
      expect(err.map((line) => line.message)).toEqual(['error line']);
    } finally {
      for (const [key, value] of Object.entries(before)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
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
