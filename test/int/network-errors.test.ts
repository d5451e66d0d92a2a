import { createServer, type AddressInfo } from 'node:net';
import { InMemoryBudget } from '../../shared/baselinker/budget';
import { BaseLinkerClient } from '../../shared/baselinker/client';
import { OngoingClient } from '../../shared/ongoing/client';

/** A port nothing listens on: opened by the OS, then closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const once = { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 };

describe('a system that cannot be reached', () => {
  it('BaseLinker: the error names the URL it could not reach, never the token', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/connector.php`;
    const client = new BaseLinkerClient({ url, token: 'tok-net-5e1c9a', budget: new InMemoryBudget({ requestsPerMinute: 1000 }), retry: once });
    const error = await client.getOrderStatusList().then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toContain(`ECONNREFUSED reaching ${url}`);
    expect(error?.message).not.toContain('tok-net-5e1c9a');
  });

  it('Ongoing: the error names the base URL it could not reach, never the password', async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}/wh/api/v1`;
    const client = new OngoingClient({ baseUrl, user: 'WSI-net', password: 'pw-net-77c1', goodsOwnerId: 1, retry: once });
    const error = await client.getOrderStatuses().then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toContain(`reaching ${baseUrl}`);
    expect(error?.message).toMatch(/ECONNREFUSED/);
    expect(error?.message).not.toContain('pw-net-77c1');
  });
});
