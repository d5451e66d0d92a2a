import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateSecretCommand, PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AwsSecretsProvider, SecretReadError, type SecretsProvider, type TenantSecrets } from '../config';

/**
 * Where `tenants put` stores the secrets given inline in a tenant file, and where the functions read them:
 * Secrets Manager on AWS (under the tenant's secretName), a folder under DATA_DIR on one machine. The tenant
 * registry holds only the name. No value ever reaches an error message or a log line.
 */
export interface SecretsStore extends SecretsProvider {
  /** Creates the secret or stores a new version of it. */
  putSecretJson(name: string, value: TenantSecrets): Promise<void>;
  /** For messages: "Secrets Manager" or the local folder. */
  readonly description: string;
}

const errorName = (err: unknown) => (err as { name?: string })?.name ?? 'unknown error';

/** Secrets Manager: a new version of an existing secret, or a new secret (the first `put` of a tenant). */
export class AwsSecretsStore implements SecretsStore {
  readonly description = 'Secrets Manager';
  private readonly reader = new AwsSecretsProvider(0);

  constructor(private readonly client: SecretsManagerClient) {}

  async putSecretJson(name: string, value: TenantSecrets): Promise<void> {
    const SecretString = JSON.stringify(value);
    try {
      await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString }));
      return;
    } catch (err) {
      if (errorName(err) !== 'ResourceNotFoundException') throw new SecretReadError(name, `could not store it (${errorName(err)})`);
    }
    try {
      await this.client.send(
        new CreateSecretCommand({ Name: name, SecretString, Description: 'ongoing-baselinker tenant secrets (baselinkerToken, ongoingUser, ongoingPassword, webhookSecret)' }),
      );
    } catch (err) {
      throw new SecretReadError(name, `could not store it (${errorName(err)})`);
    }
  }

  getSecretJson(name: string): Promise<unknown> {
    return this.reader.getSecretJson(name);
  }
}

/**
 * One machine: each secret is a JSON file under `<DATA_DIR>/secrets/`, readable by its owner only (0600 in a
 * 0700 folder), written atomically (temporary file, then rename) so a reader never sees half a secret.
 */
export class LocalSecretsStore implements SecretsStore {
  readonly directory: string;

  constructor(dataDir: string) {
    this.directory = join(dataDir, 'secrets');
  }

  get description(): string {
    return `the local secrets folder ${this.directory}`;
  }

  private file(name: string): string {
    return join(this.directory, `${encodeURIComponent(name)}.json`);
  }

  async putSecretJson(name: string, value: TenantSecrets): Promise<void> {
    mkdirSync(this.directory, { recursive: true, mode: 0o700 });
    chmodSync(this.directory, 0o700);
    const target = this.file(name);
    const temporary = `${target}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(value), { mode: 0o600 });
    renameSync(temporary, target);
  }

  async getSecretJson(name: string): Promise<unknown> {
    let text: string;
    try {
      text = readFileSync(this.file(name), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new SecretReadError(name, code === 'ENOENT' ? `no such secret in ${this.directory}` : `cannot read it (${code ?? 'read error'})`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new SecretReadError(name, 'the secret is not valid JSON');
    }
  }
}
