import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
} from '@aws-sdk/client-secrets-manager';
import { createSecretsManagerClient } from '../../shared/aws/clients';
import { startSecretsManagerFake, type SecretsManagerFake } from '../../infra/emulators';
import { closeTestClients, emulatorEnv, uniqueName } from '../support/emulators';

const client = createSecretsManagerClient();
afterAll(() => {
  client.destroy();
  closeTestClients();
});

it('serves the real SDK client through AWS_ENDPOINT_URL_SECRETS_MANAGER: create, read, replace, describe', async () => {
  emulatorEnv();
  const name = uniqueName('tenant/acme');
  const created = await client.send(new CreateSecretCommand({ Name: name, SecretString: '{"token":"a"}', Description: 'test' }));
  expect(created.Name).toBe(name);
  expect(created.ARN).toMatch(/^arn:aws:secretsmanager:[a-z0-9-]+:\d{12}:secret:/);

  expect((await client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('{"token":"a"}');
  const put = await client.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: '{"token":"b"}' }));
  expect(put.VersionId).not.toBe(created.VersionId);
  const read = await client.send(new GetSecretValueCommand({ SecretId: created.ARN }));
  expect(read).toMatchObject({ SecretString: '{"token":"b"}', VersionId: put.VersionId, Name: name });
  expect(read.CreatedDate).toBeInstanceOf(Date);

  const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
  expect(described).toMatchObject({ Name: name, Description: 'test', ARN: created.ARN });
  expect(described.VersionIdsToStages?.[put.VersionId!]).toEqual(['AWSCURRENT']);
});

it('answers unknown secrets and duplicates with the errors the SDK knows', async () => {
  await expect(client.send(new GetSecretValueCommand({ SecretId: 'no/such/secret' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  const name = uniqueName('dup');
  await client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
  await expect(client.send(new CreateSecretCommand({ Name: name, SecretString: 'y' }))).rejects.toBeInstanceOf(ResourceExistsException);
});

it('round-trips binary secrets and serves values put in directly', async () => {
  let fake: SecretsManagerFake | undefined;
  try {
    fake = await startSecretsManagerFake();
    const own = createSecretsManagerClient({ endpoint: fake.endpoint });
    try {
      fake.put('direct', { apiKey: 'k' });
      expect(JSON.parse((await own.send(new GetSecretValueCommand({ SecretId: 'direct' }))).SecretString!)).toEqual({ apiKey: 'k' });
      const bytes = Uint8Array.from([0, 1, 2, 250, 255]);
      await own.send(new CreateSecretCommand({ Name: 'bin', SecretBinary: bytes }));
      const back = await own.send(new GetSecretValueCommand({ SecretId: 'bin' }));
      expect(Buffer.from(back.SecretBinary!).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      own.destroy();
    }
  } finally {
    await fake?.stop();
  }
});
