import type { APIGatewayProxyEvent } from 'aws-lambda';
import { startApiGateway, type LambdaContextStub, type LocalApiGateway } from '../../infra/local/api-gateway';

/** The local API Gateway adapter hands handlers the REST payload v1 event API Gateway would, over real HTTP. */

describe('local API Gateway adapter', () => {
  let gateway: LocalApiGateway;
  const seen: Array<{ event: APIGatewayProxyEvent; remainingMs: number }> = [];

  beforeAll(async () => {
    gateway = await startApiGateway({
      stage: 'prod',
      timeoutMs: 300,
      binaryMediaTypes: ['application/octet-stream'],
      routes: [
        {
          method: 'POST',
          resource: '/orders/{orderId}/files',
          handler: async (event: APIGatewayProxyEvent, context: LambdaContextStub) => {
            seen.push({ event, remainingMs: context.getRemainingTimeInMillis() });
            return { statusCode: 201, headers: { 'X-Answer': 'yes' }, multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] }, body: JSON.stringify({ ok: true }) };
          },
        },
        { method: 'GET', resource: '/boom', handler: async () => Promise.reject(new Error('handler bug')) },
        { method: 'GET', resource: '/slow', handler: () => new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200, body: 'late' }), 500)) },
        { method: 'GET', resource: '/bytes', handler: async () => ({ statusCode: 200, isBase64Encoded: true, body: Buffer.from([0, 1, 2, 255]).toString('base64') }) },
      ],
    });
  });
  afterAll(() => gateway.close());

  it('builds the proxy event: resource, path parameters, query, headers as sent, body as a string', async () => {
    const res = await fetch(`${gateway.url}/orders/70211/files?fileName=label.pdf&tag=a&tag=b`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Webhook-Secret': 'v' },
      body: '{"hello":"wörld"}',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-answer')).toBe('yes');
    expect(res.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(await res.json()).toEqual({ ok: true });

    const { event, remainingMs } = seen.at(-1)!;
    expect(event).toMatchObject({
      resource: '/orders/{orderId}/files',
      path: '/orders/70211/files',
      httpMethod: 'POST',
      pathParameters: { orderId: '70211' },
      queryStringParameters: { fileName: 'label.pdf', tag: 'b' },
      multiValueQueryStringParameters: { fileName: ['label.pdf'], tag: ['a', 'b'] },
      body: '{"hello":"wörld"}',
      isBase64Encoded: false,
      requestContext: { stage: 'prod', path: '/prod/orders/70211/files', resourcePath: '/orders/{orderId}/files', httpMethod: 'POST' },
    });
    expect(event.headers['X-Webhook-Secret']).toBe('v');
    expect(event.multiValueHeaders['X-Webhook-Secret']).toEqual(['v']);
    expect(remainingMs).toBeGreaterThan(0);
    expect(remainingMs).toBeLessThanOrEqual(300);
  });

  it('base64-encodes bodies of the configured binary media types', async () => {
    await fetch(`${gateway.url}/orders/1/files`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: new Uint8Array([0, 255, 10]) });
    expect(seen.at(-1)!.event).toMatchObject({ isBase64Encoded: true, body: Buffer.from([0, 255, 10]).toString('base64') });
  });

  it('decodes a base64 result body to bytes', async () => {
    const res = await fetch(`${gateway.url}/bytes`);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('answers like API Gateway for an unknown route, a failing handler and one past the timeout', async () => {
    const unknown = await fetch(`${gateway.url}/nowhere`, { method: 'POST' });
    expect(unknown.status).toBe(403);
    expect(await unknown.json()).toEqual({ message: 'Missing Authentication Token' });
    expect((await fetch(`${gateway.url}/orders/1/files`)).status).toBe(403); // wrong method

    const boom = await fetch(`${gateway.url}/boom`);
    expect(boom.status).toBe(502);
    expect(await boom.json()).toEqual({ message: 'Internal server error' });

    const slow = await fetch(`${gateway.url}/slow`);
    expect(slow.status).toBe(504);
    expect(await slow.json()).toEqual({ message: 'Endpoint request timed out' });
  });
});
