// The local API Gateway (HTTP API, payload 2.0) adapter, in front of trivial handlers that record
// the event they get and answer what each test needs.
import { request as httpRequest } from 'node:http';
import { jest } from '@jest/globals';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { startApiGatewayAdapter, type ApiGatewayAdapter, type LambdaHandler } from '../../local/apigw-adapter.js';

/** Raw node:http request, so a test can send repeated headers exactly as written. */
function rawRequest(url: string, options: { method?: string; headers?: string[]; body?: Buffer }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    // With raw header arrays Node adds no Host header, and HTTP/1.1 requires one.
    const headers = ['Host', new URL(url).host, ...(options.headers ?? [])];
    const req = httpRequest(url, { method: options.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('Function: startApiGatewayAdapter', () => {
  let adapter: ApiGatewayAdapter;
  let seen: { event: APIGatewayProxyEventV2; context: Context }[];
  let answer: LambdaHandler;

  beforeAll(async () => {
    adapter = await startApiGatewayAdapter({
      port: 0,
      routes: ['GET /login', 'GET /callback', 'GET /logout', 'POST /upload'],
      integrationTimeoutMs: 300,
      handler: (event, context) => {
        seen.push({ event, context });
        return answer(event, context);
      },
    });
  });

  beforeEach(() => {
    seen = [];
    answer = async () => ({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' });
  });

  afterAll(async () => {
    await adapter.close();
  });

  describe('Event', () => {
    it('builds a payload 2.0 event with the raw path, raw query, decoded parameters and request context', async () => {
      await rawRequest(`${adapter.url}/login?return_url=%2Fv%2F1&a=1&a=2`, { headers: ['User-Agent', 'jest-agent'] });

      const { event, context } = seen[0]!;
      expect(event).toMatchObject({
        version: '2.0',
        routeKey: 'GET /login',
        rawPath: '/login',
        rawQueryString: 'return_url=%2Fv%2F1&a=1&a=2',
        queryStringParameters: { return_url: '/v/1', a: '1,2' },
        isBase64Encoded: false,
        requestContext: {
          stage: '$default',
          domainName: `localhost:${adapter.port}`,
          http: { method: 'GET', path: '/login', protocol: 'HTTP/1.1', sourceIp: expect.stringMatching(/^(127\.0\.0\.1|::1)$/), userAgent: 'jest-agent' },
          requestId: expect.any(String),
          timeEpoch: expect.any(Number),
        },
      });
      expect(event.body).toBeUndefined();
      expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(context.functionName).toBe('twentythree-sso-local');
      expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    });

    it('lower-cases header names, joins repeated headers with commas and moves cookies into the cookies array', async () => {
      await rawRequest(`${adapter.url}/callback`, {
        headers: ['X-Forwarded-For', '10.0.0.1', 'X-Forwarded-For', '10.0.0.2', 'Cookie', 'a=1; b=two', 'Cookie', 'c=3'],
      });

      const { event } = seen[0]!;
      expect(event.headers['x-forwarded-for']).toBe('10.0.0.1,10.0.0.2');
      expect(event.headers.cookie).toBeUndefined();
      expect(event.cookies).toEqual(['a=1', 'b=two', 'c=3']);
      expect(event.queryStringParameters).toBeUndefined();
      expect(event.rawQueryString).toBe('');
    });

    it('gives a different request id to every request', async () => {
      await rawRequest(`${adapter.url}/logout`, {});
      await rawRequest(`${adapter.url}/logout`, {});

      expect(seen[0]!.event.requestContext.requestId).not.toBe(seen[1]!.event.requestContext.requestId);
    });

    it('passes a text body as is and a binary body base64-encoded', async () => {
      const binary = Buffer.from([0, 1, 2, 250, 255]);

      await rawRequest(`${adapter.url}/upload`, { method: 'POST', headers: ['Content-Type', 'application/json'], body: Buffer.from('{"a":1}') });
      await rawRequest(`${adapter.url}/upload`, { method: 'POST', headers: ['Content-Type', 'application/octet-stream'], body: binary });

      expect(seen[0]!.event).toMatchObject({ routeKey: 'POST /upload', body: '{"a":1}', isBase64Encoded: false });
      expect(seen[1]!.event).toMatchObject({ body: binary.toString('base64'), isBase64Encoded: true });
    });
  });

  describe('Response', () => {
    it('writes status and headers, and one Set-Cookie header per entry of cookies', async () => {
      answer = async () => ({ statusCode: 302, headers: { Location: 'http://localhost/next', 'Cache-Control': 'no-store' }, cookies: ['a=1; Path=/', 'b=2; HttpOnly'], body: '' });

      const response = await rawRequest(`${adapter.url}/login`, {});

      expect(response.status).toBe(302);
      expect(response.headers.location).toBe('http://localhost/next');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
      expect(response.headers['apigw-requestid']).toBe(seen[0]!.event.requestContext.requestId);
    });

    it('writes multiValueHeaders as repeated headers', async () => {
      answer = async () => ({ statusCode: 200, multiValueHeaders: { 'X-Thing': ['one', 'two'] }, body: 'ok' });

      const response = await rawRequest(`${adapter.url}/login`, {});

      expect(response.headers['x-thing']).toBe('one, two');
    });

    it('decodes a base64 body', async () => {
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
      answer = async () => ({ statusCode: 200, headers: { 'content-type': 'image/png' }, body: png.toString('base64'), isBase64Encoded: true });

      const response = await rawRequest(`${adapter.url}/login`, {});

      expect(response.body.equals(png)).toBe(true);
      expect(response.headers['content-length']).toBe(String(png.length));
    });

    it('answers 200 JSON for a result without statusCode, as API Gateway infers it', async () => {
      answer = async () => ({ hello: 'world' });

      const response = await rawRequest(`${adapter.url}/login`, {});

      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/json');
      expect(JSON.parse(response.body.toString())).toEqual({ hello: 'world' });
    });
  });

  describe("API Gateway's own answers", () => {
    it.each([
      ['an unknown path', 'GET', '/admin'],
      ['the root', 'GET', '/'],
      ['a known path with another method', 'POST', '/login'],
      ['a path that differs in case', 'GET', '/LOGIN'],
    ])('answers 404 {"message":"Not Found"} for %s without calling the handler', async (_label, method, path) => {
      const response = await rawRequest(`${adapter.url}${path}`, { method });

      expect(response.status).toBe(404);
      expect(JSON.parse(response.body.toString())).toEqual({ message: 'Not Found' });
      expect(seen).toHaveLength(0);
    });

    it('answers 500 {"message":"Internal Server Error"} when the handler throws', async () => {
      answer = async () => {
        throw new Error('boom');
      };
      const errors = jestSpyOnConsoleError();

      const response = await rawRequest(`${adapter.url}/login`, {});

      expect(response.status).toBe(500);
      expect(JSON.parse(response.body.toString())).toEqual({ message: 'Internal Server Error' });
      errors.mockRestore();
    });

    it('answers 503 {"message":"Service Unavailable"} when the handler outlives the integration timeout', async () => {
      answer = () => new Promise(() => undefined);

      const response = await rawRequest(`${adapter.url}/login`, {});

      expect(response.status).toBe(503);
      expect(JSON.parse(response.body.toString())).toEqual({ message: 'Service Unavailable' });
    });
  });

  it('calls the handler set later with setHandler', async () => {
    const other = await startApiGatewayAdapter({ port: 0 });
    try {
      const before = await rawRequest(`${other.url}/login`, {});
      other.setHandler(async () => ({ statusCode: 204 }));
      const after = await rawRequest(`${other.url}/login`, {});

      expect(before.status).toBe(503);
      expect(after.status).toBe(204);
    } finally {
      await other.close();
    }
  });
});

function jestSpyOnConsoleError() {
  return jest.spyOn(console, 'error').mockImplementation(() => undefined);
}
