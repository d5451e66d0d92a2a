import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/**
 * A small stand-in for API Gateway (REST API, Lambda proxy integration, payload v1) over node:http, for
 * tests and the local host. It builds the event a Lambda behind API Gateway receives (resource, path, method,
 * headers and multiValueHeaders as sent, query parameters, path parameters from `{name}` segments, the body
 * as a string — base64 only for the configured binary media types — and a requestContext), gives the handler
 * a context whose remaining time is the integration timeout, and writes the result back. Like API Gateway it
 * answers 403 "Missing Authentication Token" for an unknown route, 502 "Internal server error" when the
 * handler throws or returns something malformed, and 504 when the handler runs past the timeout.
 */

export interface LambdaContextStub {
  awsRequestId: string;
  functionName: string;
  getRemainingTimeInMillis(): number;
}

export type ProxyHandler = (event: APIGatewayProxyEvent, context: LambdaContextStub) => Promise<APIGatewayProxyResult>;

export interface ApiRoute {
  method: string;
  /** API Gateway resource path, e.g. `/webhook/ongoing` or `/orders/{orderId}` (`{proxy+}` matches the rest). */
  resource: string;
  handler: ProxyHandler;
  functionName?: string;
}

export interface ApiGatewayOptions {
  routes: ApiRoute[];
  /** Default 0: a free port. Always on 127.0.0.1. */
  port?: number;
  stage?: string;
  /** API Gateway's integration timeout. Default 29 000 ms. */
  timeoutMs?: number;
  /** Content types whose body reaches the handler base64-encoded. Default none. */
  binaryMediaTypes?: string[];
  /** Largest body accepted (API Gateway: 10 MB). */
  maxBodyBytes?: number;
}

export interface LocalApiGateway {
  /** e.g. `http://127.0.0.1:PORT` (routes hang below it, without the stage). */
  url: string;
  port: number;
  close(): Promise<void>;
}

interface CompiledRoute extends ApiRoute {
  pattern: RegExp;
  params: string[];
}

function compile(route: ApiRoute): CompiledRoute {
  const params: string[] = [];
  const source = route.resource
    .split('/')
    .map((part) => {
      const greedy = /^\{(\w+)\+\}$/.exec(part);
      if (greedy) {
        params.push(greedy[1]!);
        return '(.+)';
      }
      const param = /^\{(\w+)\}$/.exec(part);
      if (param) {
        params.push(param[1]!);
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${source}/?$`), params };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function headersOf(req: http.IncomingMessage): { single: Record<string, string>; multi: Record<string, string[]> } {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  // rawHeaders keeps the sender's spelling, as API Gateway does.
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return { single, multi };
}

function queryOf(url: URL): { single: Record<string, string> | null; multi: Record<string, string[]> | null } {
  const keys = [...new Set(url.searchParams.keys())];
  if (keys.length === 0) return { single: null, multi: null };
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const key of keys) {
    const values = url.searchParams.getAll(key);
    multi[key] = values;
    single[key] = values[values.length - 1]!;
  }
  return { single, multi };
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function isResult(value: unknown): value is APIGatewayProxyResult {
  return !!value && typeof value === 'object' && Number.isInteger((value as APIGatewayProxyResult).statusCode);
}

export async function startApiGateway(options: ApiGatewayOptions): Promise<LocalApiGateway> {
  const routes = options.routes.map(compile);
  const stage = options.stage ?? 'local';
  const timeoutMs = options.timeoutMs ?? 29_000;
  const binaryTypes = (options.binaryMediaTypes ?? []).map((t) => t.toLowerCase());
  const maxBody = options.maxBodyBytes ?? 10 * 1024 * 1024;

  const server = http.createServer((req, res) => {
    void serve(req, res).catch(() => {
      if (!res.headersSent) json(res, 502, { message: 'Internal server error' });
    });
  });

  async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const route = routes.find((r) => (r.method.toUpperCase() === method || r.method.toUpperCase() === 'ANY') && r.pattern.test(url.pathname));
    const body = await readBody(req, maxBody);
    if (!route) return json(res, 403, { message: 'Missing Authentication Token' });
    if (body === 'too-large') return json(res, 413, { message: 'Request Too Long' });

    const match = route.pattern.exec(url.pathname)!;
    const pathParameters = route.params.length
      ? Object.fromEntries(route.params.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]))
      : null;
    const { single, multi } = headersOf(req);
    const query = queryOf(url);
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const binary = binaryTypes.includes(contentType) || binaryTypes.includes('*/*');
    const requestId = randomUUID();
    const now = Date.now();
    const event: APIGatewayProxyEvent = {
      resource: route.resource,
      path: url.pathname,
      httpMethod: method,
      headers: single,
      multiValueHeaders: multi,
      queryStringParameters: query.single,
      multiValueQueryStringParameters: query.multi,
      pathParameters,
      stageVariables: null,
      body: body.length === 0 ? null : binary ? body.toString('base64') : body.toString('utf8'),
      isBase64Encoded: body.length > 0 && binary,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        authorizer: null,
        protocol: `HTTP/${req.httpVersion}`,
        httpMethod: method,
        path: `/${stage}${url.pathname}`,
        stage,
        requestId,
        requestTimeEpoch: now,
        resourceId: 'local',
        resourcePath: route.resource,
        identity: {
          accessKey: null,
          accountId: null,
          apiKey: null,
          apiKeyId: null,
          caller: null,
          clientCert: null,
          cognitoAuthenticationProvider: null,
          cognitoAuthenticationType: null,
          cognitoIdentityId: null,
          cognitoIdentityPoolId: null,
          principalOrgId: null,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          user: null,
          userAgent: req.headers['user-agent'] ?? null,
          userArn: null,
        },
      },
    };
    const deadline = now + timeoutMs;
    const context: LambdaContextStub = {
      awsRequestId: requestId,
      functionName: route.functionName ?? 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    let result: APIGatewayProxyResult | 'timeout' | undefined;
    try {
      result = await Promise.race([route.handler(event, context), timedOut]);
    } catch {
      result = undefined;
    } finally {
      clearTimeout(timer);
    }
    if (result === 'timeout') return json(res, 504, { message: 'Endpoint request timed out' });
    if (!isResult(result)) return json(res, 502, { message: 'Internal server error' });

    const payload = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
    for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name] = values.map(String);
    headers['Content-Length'] = String(payload.length);
    res.writeHead(result.statusCode, headers);
    res.end(payload);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
