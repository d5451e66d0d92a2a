import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, loadTenants } from '../../shared/config/load';

/**
 * Over real HTTP: the Secrets Manager client the secrets reader uses must honour
 * AWS_ENDPOINT_URL_SECRETS_MANAGER, which is how the local host and other integration tests point it at
 * a fake. This is a minimal fake of GetSecretValue (AWS JSON 1.1), only for this file.
 */

const stored: Record<string, string> = {
  'obl/tenants/shop-a': JSON.stringify({ baselinkerToken: 'tok-int-4e1a', ongoingUser: 'WSI-int', ongoingPassword: 'pw-int-9b2c', webhookSecret: 'hook-int-7d3e-0123456789abcdef01234567' }),
};
const requests: { target: string | undefined; secretId: unknown }[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
  req.on('end', () => {
    const target = req.headers['x-amz-target'] as string | undefined;
    const input = JSON.parse(body || '{}') as { SecretId?: string };
    requests.push({ target, secretId: input.SecretId });
    const value = input.SecretId !== undefined ? stored[input.SecretId] : undefined;
    res.setHeader('content-type', 'application/x-amz-json-1.1');
    if (target !== 'secretsmanager.GetSecretValue' || value === undefined) {
      res.statusCode = 400;
      res.end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }));
      return;
    }
    res.end(JSON.stringify({ ARN: `arn:aws:secretsmanager:eu-north-1:000000000000:secret:${input.SecretId}`, Name: input.SecretId, SecretString: value, VersionId: 'v1' }));
  });
}

let server: Server;
const savedEndpoint = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
  else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = savedEndpoint;
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const entry = (id: string, goodsOwnerId: number, secretName: string) => ({
  id,
  baselinker: { inventoryId: 7, orderStatusIds: [1051] },
  ongoing: { url: 'http://127.0.0.1:1/wh/api/v1', goodsOwnerId },
  secretName,
});

describe('tenant secrets from a Secrets Manager endpoint over HTTP', () => {
  it('loads the tenant secret through the endpoint given by AWS_ENDPOINT_URL_SECRETS_MANAGER', async () => {
    const [tenant] = await loadTenants({ env: { TENANTS: JSON.stringify([entry('shop-a', 42, 'obl/tenants/shop-a')]) } });
    expect(tenant.secrets.ongoingUser).toBe('WSI-int');
    expect(requests).toContainEqual({ target: 'secretsmanager.GetSecretValue', secretId: 'obl/tenants/shop-a' });
  });

  it('names the tenant whose secret does not exist', async () => {
    const TENANTS = JSON.stringify([entry('shop-a', 42, 'obl/tenants/shop-a'), entry('shop-b', 43, 'obl/tenants/shop-b')]);
    const error = await loadTenants({ env: { TENANTS } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'TENANTS[1] (shop-b).secretName: could not read secret "obl/tenants/shop-b": no such secret (ResourceNotFoundException)',
    ]);
    expect((error as ConfigError).message).not.toContain('pw-int-9b2c');
  });
});
