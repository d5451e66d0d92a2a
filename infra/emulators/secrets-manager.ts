import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';

/**
 * A small Secrets Manager for tests and local runs: nothing on npm emulates it. Speaks the AWS JSON 1.1
 * protocol the SDK uses (`POST /`, `X-Amz-Target: secretsmanager.<Op>`) for the four operations this
 * project needs. Signatures are not checked. Memory only.
 */

export interface SecretsManagerFake {
  /** Always http://127.0.0.1:<port>. */
  endpoint: string;
  /** Create or replace a secret without going through the API; objects are stored as JSON. */
  put(name: string, value: string | object): void;
  stop(): Promise<void>;
}

interface Secret {
  arn: string;
  name: string;
  description?: string;
  createdDate: number;
  lastChangedDate: number;
  versionId: string;
  secretString?: string;
  secretBinary?: string;
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const nowSeconds = () => Date.now() / 1000;

export async function startSecretsManagerFake(options: { port?: number; region?: string } = {}): Promise<SecretsManagerFake> {
  const region = options.region ?? process.env.AWS_REGION ?? 'eu-north-1';
  const secrets = new Map<string, Secret>();

  const find = (id: unknown): Secret => {
    if (typeof id !== 'string' || id === '') throw new AwsError('InvalidParameterException', 'SecretId is required');
    const byName = secrets.get(id);
    if (byName) return byName;
    for (const s of secrets.values()) if (s.arn === id) return s;
    throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  };

  const store = (name: string, value: { secretString?: string; secretBinary?: string }, description?: string): Secret => {
    const existing = secrets.get(name);
    const now = nowSeconds();
    const secret: Secret = {
      arn: existing?.arn ?? `arn:aws:secretsmanager:${region}:000000000000:secret:${name}-${randomBytes(3).toString('hex')}`,
      name,
      description: description ?? existing?.description,
      createdDate: existing?.createdDate ?? now,
      lastChangedDate: now,
      versionId: randomUUID(),
      secretString: value.secretString,
      secretBinary: value.secretBinary,
    };
    secrets.set(name, secret);
    return secret;
  };

  const valueOf = (input: Record<string, unknown>) => {
    const secretString = typeof input.SecretString === 'string' ? input.SecretString : undefined;
    const secretBinary = typeof input.SecretBinary === 'string' ? input.SecretBinary : undefined;
    if (secretString === undefined && secretBinary === undefined) {
      throw new AwsError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
    }
    return { secretString, secretBinary };
  };

  const operations: Record<string, (input: Record<string, unknown>) => object> = {
    GetSecretValue(input) {
      const s = find(input.SecretId);
      if (typeof input.VersionId === 'string' && input.VersionId !== s.versionId) {
        throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret version.");
      }
      return {
        ARN: s.arn,
        Name: s.name,
        VersionId: s.versionId,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: s.lastChangedDate,
        ...(s.secretString !== undefined ? { SecretString: s.secretString } : {}),
        ...(s.secretBinary !== undefined ? { SecretBinary: s.secretBinary } : {}),
      };
    },
    CreateSecret(input) {
      const name = input.Name;
      if (typeof name !== 'string' || name === '') throw new AwsError('InvalidParameterException', 'Name is required');
      if (secrets.has(name)) {
        throw new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
      }
      const s = store(name, valueOf(input), typeof input.Description === 'string' ? input.Description : undefined);
      return { ARN: s.arn, Name: s.name, VersionId: s.versionId };
    },
    PutSecretValue(input) {
      const existing = find(input.SecretId);
      const s = store(existing.name, valueOf(input));
      return { ARN: s.arn, Name: s.name, VersionId: s.versionId, VersionStages: ['AWSCURRENT'] };
    },
    DescribeSecret(input) {
      const s = find(input.SecretId);
      return {
        ARN: s.arn,
        Name: s.name,
        ...(s.description !== undefined ? { Description: s.description } : {}),
        CreatedDate: s.createdDate,
        LastChangedDate: s.lastChangedDate,
        VersionIdsToStages: { [s.versionId]: ['AWSCURRENT'] },
      };
    },
  };

  const reply = (res: ServerResponse, status: number, body: object, errorType?: string) => {
    const headers: Record<string, string> = {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-requestid': randomUUID(),
    };
    if (errorType) headers['x-amzn-errortype'] = errorType;
    res.writeHead(status, headers).end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const op = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : '';
    try {
      if (req.method !== 'POST' || !Object.prototype.hasOwnProperty.call(operations, op)) {
        throw new AwsError('UnknownOperationException', `Unsupported operation: ${op || target || req.method}`);
      }
      let input: Record<string, unknown>;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        input = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        throw new AwsError('SerializationException', 'Request body is not valid JSON');
      }
      reply(res, 200, operations[op](input));
    } catch (err) {
      const e = err instanceof AwsError ? err : new AwsError('InternalServiceError', (err as Error).message);
      reply(res, e.type === 'InternalServiceError' ? 500 : 400, { __type: e.type, message: e.message }, e.type);
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    put(name, value) {
      store(name, { secretString: typeof value === 'string' ? value : JSON.stringify(value) });
    },
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
