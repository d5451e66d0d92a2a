import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient, SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { ConfigError, loadTenants } from '../../shared/config/load';
import { AwsSecretsProvider, clearSecretCache, SECRET_CACHE_SECONDS, SecretReadError } from '../../shared/config/secrets';

const secretsManager = mockClient(SecretsManagerClient);

const stored = { baselinkerToken: 'tok-aws-6b1f2e90', ongoingUser: 'WSI-aws-user', ongoingPassword: 'pw-aws-c4d8a1', webhookSecret: 'hook-aws-e7f3b5-0123456789abcdef0123' };

const settings = {
  id: 'shop-a',
  baselinker: { inventoryId: 7, orderStatusIds: [1051] },
  ongoing: { url: 'https://ongoing.example/wh/api/v1', goodsOwnerId: 42 },
  secretName: 'obl/tenants/shop-a',
};

beforeEach(() => {
  secretsManager.reset();
  clearSecretCache();
});
afterEach(() => {
  jest.restoreAllMocks();
});
afterAll(() => {
  secretsManager.restore();
});

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('AwsSecretsProvider', () => {
  it('reads a JSON secret from Secrets Manager by name', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: 'obl/tenants/shop-a' }).resolves({ SecretString: JSON.stringify(stored) });
    await expect(new AwsSecretsProvider().getSecretJson('obl/tenants/shop-a')).resolves.toEqual(stored);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('serves a repeated read from the cache instead of calling Secrets Manager again', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(stored) });
    const provider = new AwsSecretsProvider();
    await provider.getSecretJson('obl/tenants/shop-a');
    await provider.getSecretJson('obl/tenants/shop-a');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('fetches again once the cache age is over', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(stored) });
    const provider = new AwsSecretsProvider(0);
    await provider.getSecretJson('obl/tenants/shop-a');
    await provider.getSecretJson('obl/tenants/shop-a');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('keeps a read for maxAge: within it no request is sent, after it one is', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(stored) });
    const clock = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    const provider = new AwsSecretsProvider();
    await provider.getSecretJson('obl/tenants/shop-a');
    clock.mockReturnValue(1_000_000 + SECRET_CACHE_SECONDS * 1000 - 1);
    await expect(provider.getSecretJson('obl/tenants/shop-a')).resolves.toEqual(stored);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    clock.mockReturnValue(1_000_000 + SECRET_CACHE_SECONDS * 1000);
    await expect(provider.getSecretJson('obl/tenants/shop-a')).resolves.toEqual(stored);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('shares the cache between providers, by secret name', async () => {
    secretsManager.on(GetSecretValueCommand).callsFake(({ SecretId }: { SecretId: string }) => ({ SecretString: JSON.stringify({ name: SecretId }) }));
    await new AwsSecretsProvider().getSecretJson('obl/tenants/shop-a');
    await expect(new AwsSecretsProvider().getSecretJson('obl/tenants/shop-a')).resolves.toEqual({ name: 'obl/tenants/shop-a' });
    await expect(new AwsSecretsProvider().getSecretJson('obl/tenants/shop-b')).resolves.toEqual({ name: 'obl/tenants/shop-b' });
    expect(secretsManager.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input.SecretId)).toEqual(['obl/tenants/shop-a', 'obl/tenants/shop-b']);
  });

  it('sends one request for reads of one name made while it is under way', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(stored) });
    const provider = new AwsSecretsProvider();
    const reads = await Promise.all([provider.getSecretJson('obl/tenants/shop-a'), new AwsSecretsProvider().getSecretJson('obl/tenants/shop-a')]);
    expect(reads).toEqual([stored, stored]);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('does not keep a failed read: the next read asks again', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }))
      .resolves({ SecretString: JSON.stringify(stored) });
    const provider = new AwsSecretsProvider();
    await expect(provider.getSecretJson('obl/tenants/shop-a')).rejects.toBeInstanceOf(SecretReadError);
    await expect(provider.getSecretJson('obl/tenants/shop-a')).resolves.toEqual(stored);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('reports a missing secret by name and error kind only', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }));
    const error = await rejection(new AwsSecretsProvider().getSecretJson('obl/tenants/gone'));
    expect(error).toBeInstanceOf(SecretReadError);
    expect(error.message).toBe('could not read secret "obl/tenants/gone": no such secret (ResourceNotFoundException)');
  });

  it('reports a denied read by name and error kind only', async () => {
    // Secrets Manager has no class of its own for it: the SDK makes a service exception with this name.
    const denied = new SecretsManagerServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: {}, message: 'User: arn:aws:sts::123456789012:assumed-role/x is not authorized' });
    secretsManager.on(GetSecretValueCommand).rejects(denied);
    const error = await rejection(new AwsSecretsProvider().getSecretJson('obl/tenants/shop-a'));
    expect(error).toBeInstanceOf(SecretReadError);
    expect(error.message).toBe('could not read secret "obl/tenants/shop-a": access denied (AccessDeniedException)');
  });

  it('reports a secret stored as binary only as having no string value', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new TextEncoder().encode(JSON.stringify(stored)) });
    const error = await rejection(new AwsSecretsProvider().getSecretJson('obl/tenants/shop-a'));
    expect(error.message).toBe('could not read secret "obl/tenants/shop-a": the secret has no string value');
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(stored.baselinkerToken);
  });

  it('never repeats the text of a secret that is not JSON', async () => {
    const raw = `token=${stored.baselinkerToken}`;
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: raw });
    const error = await rejection(new AwsSecretsProvider().getSecretJson('obl/tenants/shop-a'));
    expect(error.message).toBe('could not read secret "obl/tenants/shop-a": the secret is not valid JSON');
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(stored.baselinkerToken);
  });
});

describe('loadTenants on AWS (TENANTS + Secrets Manager)', () => {
  it('loads each tenant with the secret stored under its secretName', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: 'obl/tenants/shop-a' }).resolves({ SecretString: JSON.stringify(stored) });
    const [tenant] = await loadTenants({ env: { TENANTS: JSON.stringify([settings]) }, secrets: new AwsSecretsProvider() });
    expect(tenant.id).toBe('shop-a');
    expect(tenant.secrets).toEqual(stored);
  });

  it('uses Secrets Manager by default when no provider is given', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(stored) });
    const [tenant] = await loadTenants({ env: { TENANTS: JSON.stringify([settings]) } });
    expect(tenant.secrets.webhookSecret).toBe(stored.webhookSecret);
    expect(secretsManager.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({ SecretId: 'obl/tenants/shop-a' });
  });

  it('turns a secret with a missing field into a ConfigError without any secret value', async () => {
    const { ongoingPassword: _omitted, ...partial } = stored;
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(partial) });
    const error = await rejection(loadTenants({ env: { TENANTS: JSON.stringify([settings]) }, secrets: new AwsSecretsProvider() }));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(['TENANTS[0] (shop-a) secret "obl/tenants/shop-a".ongoingPassword: required']);
    for (const value of Object.values(stored)) expect(error.message).not.toContain(value);
  });
});
