import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoDocumentClient } from '../../shared/aws/clients';
import { assertClockInSync, ClockSkewError, MAX_CLOCK_SKEW_MS, observeServerDate, provenClockOffsetMs, resetClockObservations } from '../../shared/aws/clock';
import { freshTable, testDocumentClient } from '../support/emulators';

/**
 * This machine's clock against AWS's, from the Date header of DynamoDB's answers: a fake DynamoDB whose
 * clock is ten minutes ahead stands for "the laptop's clock is ten minutes behind".
 */

afterEach(() => resetClockObservations());

describe('reading the offset', () => {
  it('bounds the offset by the whole-second header and the round trip, and intersects answers', () => {
    observeServerDate(new Date(10_000).toUTCString(), 10_100, 10_300);
    // Server time in [10 000, 11 000) while local time was in [10 100, 10 300]: offset in [-300, 900].
    expect(provenClockOffsetMs()).toBe(0);
    observeServerDate(new Date(20_000).toUTCString(), 15_000, 15_200);
    // Now offset in [4 800, 5 000]: provably about 5 s.
    expect(provenClockOffsetMs()).toBe(4_800);
    expect(() => assertClockInSync()).toThrow(ClockSkewError);
  });

  it('starts again when the local clock was stepped (answers that cannot both be true)', () => {
    observeServerDate(new Date(600_000).toUTCString(), 0, 100);
    expect(provenClockOffsetMs()).toBeGreaterThan(MAX_CLOCK_SKEW_MS);
    observeServerDate(new Date(700_000).toUTCString(), 700_000, 700_050);
    expect(provenClockOffsetMs()).toBe(0);
    expect(() => assertClockInSync()).not.toThrow();
  });

  it('knows nothing before the first answer and refuses nothing then', () => {
    expect(provenClockOffsetMs()).toBeUndefined();
    expect(() => assertClockInSync()).not.toThrow();
  });
});

describe('from DynamoDB answers', () => {
  it('finds the clock in sync with the DynamoDB emulator', async () => {
    const table = await freshTable();
    await testDocumentClient().send(new GetCommand({ TableName: table, Key: { pk: 'x', sk: 'y' } }));
    // testDocumentClient is made by createDynamoDocumentClient: it observes every answer.
    expect(provenClockOffsetMs()).toBe(0);
  });

  it('refuses, naming the offset, when DynamoDB answers with a clock ten minutes off', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', date: new Date(Date.now() + 10 * 60_000).toUTCString() });
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const client = createDynamoDocumentClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, region: 'eu-north-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
      await client.send(new GetCommand({ TableName: 't', Key: { pk: 'x', sk: 'y' } }));
      client.destroy();
      expect(provenClockOffsetMs()).toBeGreaterThan(9 * 60_000);
      expect(() => assertClockInSync()).toThrow(/clock is (599|600)\.\d s behind AWS's/);
    } finally {
      server.close();
    }
  });
});
