// A static import, not import(): esbuild wraps every module an import() reaches, the SDK core DynamoDB shares
// included, which costs a Lambda more at start than this module's own code (bench: "no import()"). Powertools
// makes the SecretsManagerClient on the first read.
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';

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

/** Powertools caches secrets per container; 5 minutes is deliberate: a rotated secret is picked up within 5 min. */
export const SECRET_CACHE_SECONDS = 300;

/**
 * Reads secrets from AWS Secrets Manager through Powertools Parameters (`getSecret`, JSON transform,
 * cached for `maxAgeSeconds`). Powertools creates the SecretsManagerClient itself, which honours
 * AWS_REGION and AWS_ENDPOINT_URL_SECRETS_MANAGER (the local fake).
 *
 * Upstream errors are never passed on: a JSON parse error's message quotes the secret's text, and SDK
 * errors carry request details. Only the error's name survives, as the reason.
 */
export class AwsSecretsProvider implements SecretsProvider {
  constructor(private readonly maxAgeSeconds: number = SECRET_CACHE_SECONDS) {}

  async getSecretJson(name: string): Promise<unknown> {
    let value: unknown;
    try {
      value = await getSecret(name, { transform: 'json', maxAge: this.maxAgeSeconds });
    } catch (error) {
      throw new SecretReadError(name, safeReason(error));
    }
    if (value === undefined) throw new SecretReadError(name, 'the secret has no string value');
    return value;
  }
}

function safeReason(error: unknown): string {
  const name = error instanceof Error ? error.name : 'unknown error';
  if (name === 'TransformParameterError') return 'the secret is not valid JSON';
  const cause = error instanceof Error ? (error.cause as { name?: unknown } | undefined) : undefined;
  const causeName = typeof cause?.name === 'string' ? cause.name : undefined;
  if (causeName === 'ResourceNotFoundException') return 'no such secret (ResourceNotFoundException)';
  if (causeName === 'AccessDeniedException') return 'access denied (AccessDeniedException)';
  return causeName ?? name;
}

/** Secrets held in memory, keyed by name: for tests and for a local host that reads them elsewhere. */
export class StaticSecretsProvider implements SecretsProvider {
  constructor(private readonly secrets: Record<string, unknown>) {}

  async getSecretJson(name: string): Promise<unknown> {
    if (!Object.hasOwn(this.secrets, name)) throw new SecretReadError(name, 'no such secret');
    return this.secrets[name];
  }
}
