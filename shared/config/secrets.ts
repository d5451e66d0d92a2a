// A static import, not import(): esbuild wraps every module an import() reaches, the SDK core DynamoDB shares
// included, which costs a Lambda more at start than this module's own code (bench: "no import()"). The client
// itself is made on the first read.
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsManagerClient } from '../aws/clients';

/**
 * Where tenant secrets come from. The loader only needs "give me the JSON stored under this name";
 * tests and the local host inject their own provider, Lambdas use Secrets Manager.
 */
export interface SecretsProvider {
  /** The parsed JSON value stored under `name`. Throws `SecretReadError` (never with the value in it). */
  getSecretJson(name: string): Promise<unknown>;
}

/** A secret could not be read; the message carries the secret's name and a safe reason only. */
export class SecretReadError extends Error {
  constructor(
    readonly secretName: string,
    readonly reason: string,
  ) {
    super(`could not read secret "${secretName}": ${reason}`);
    this.name = 'SecretReadError';
  }
}

/** Secrets are cached per process; 5 minutes is deliberate: a rotated secret is picked up within 5 min. */
export const SECRET_CACHE_SECONDS = 300;

/** By secret name, for every provider of the process (a Lambda makes one per invocation). */
const cache = new Map<string, { value: Promise<unknown>; expiresAt: number }>();

/** Forgets every secret read (tests). */
export function clearSecretCache(): void {
  cache.clear();
}

/**
 * Reads secrets from AWS Secrets Manager (GetSecretValue, the string parsed as JSON), cached for `maxAgeSeconds`
 * from the answer. Reads of a name while its request is under way share that request; a failed read is not kept.
 * The client (shared/aws/clients) honours AWS_REGION and AWS_ENDPOINT_URL_SECRETS_MANAGER (the local fake).
 *
 * Upstream errors are never passed on: a JSON parse error's message quotes the secret's text, and SDK
 * errors carry request details. Only the error's name survives, as the reason.
 */
export class AwsSecretsProvider implements SecretsProvider {
  constructor(private readonly maxAgeSeconds: number = SECRET_CACHE_SECONDS) {}

  getSecretJson(name: string): Promise<unknown> {
    const cached = cache.get(name);
    if (cached && Date.now() < cached.expiresAt) return cached.value;
    const entry = { value: readSecretJson(name), expiresAt: Infinity };
    cache.set(name, entry);
    entry.value.then(
      () => (entry.expiresAt = Date.now() + this.maxAgeSeconds * 1000),
      () => cache.get(name) === entry && cache.delete(name),
    );
    return entry.value;
  }
}

async function readSecretJson(name: string): Promise<unknown> {
  let text: string | undefined;
  try {
    text = (await secretsManagerClient().send(new GetSecretValueCommand({ SecretId: name }))).SecretString;
  } catch (error) {
    throw new SecretReadError(name, safeReason(error));
  }
  if (!text) throw new SecretReadError(name, 'the secret has no string value');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new SecretReadError(name, 'the secret is not valid JSON');
  }
}

function safeReason(error: unknown): string {
  const name = error instanceof Error ? error.name : 'unknown error';
  if (name === 'ResourceNotFoundException') return 'no such secret (ResourceNotFoundException)';
  if (name === 'AccessDeniedException') return 'access denied (AccessDeniedException)';
  return name;
}

/** Secrets held in memory, keyed by name: for tests and for a local host that reads them elsewhere. */
export class StaticSecretsProvider implements SecretsProvider {
  constructor(private readonly secrets: Record<string, unknown>) {}

  async getSecretJson(name: string): Promise<unknown> {
    if (!Object.hasOwn(this.secrets, name)) throw new SecretReadError(name, 'no such secret');
    return this.secrets[name];
  }
}
