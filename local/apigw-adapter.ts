// A local API Gateway HTTP API (payload format 2.0) in front of a Lambda handler: each HTTP request
// becomes the event API Gateway would send, and the handler's result becomes the HTTP response the way
// API Gateway writes it (one Set-Cookie per `cookies` entry, base64 bodies decoded, its own 404/500/503).
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { listenOnLoopback, readBody } from './loopback.js';

/** Any Lambda handler API Gateway can invoke: a structured result, or a value API Gateway turns into JSON. */
export type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2 | string | object | undefined>;

export interface ApiGatewayAdapterOptions {
  /** The function behind the API; replaceable later with `setHandler` (e.g. once the port is known). */
  readonly handler?: LambdaHandler;
  /** 0 = an ephemeral port. */
  readonly port: number;
  /** Listen on this address only; default 127.0.0.1 and ::1. */
  readonly host?: string;
  /** Route keys served (default the bridge's three); anything else gets API Gateway's own 404. */
  readonly routes?: readonly string[];
  /** Shown in the Lambda context (default `twentythree-sso-local`). */
  readonly functionName?: string;
  /** The Lambda's timeout, reported by `getRemainingTimeInMillis` (default 10 000 ms). */
  readonly functionTimeoutMs?: number;
  /** API Gateway gives up after this long and answers 503 (HTTP API default 30 000 ms). */
  readonly integrationTimeoutMs?: number;
  /** Called after each response: method, path and status only (query strings carry codes and tokens). */
  readonly onResponse?: (entry: { method: string; path: string; status: number; ms: number }) => void;
}

export interface ApiGatewayAdapter {
  /** `http://localhost:<port>` */
  readonly url: string;
  readonly port: number;
  setHandler(handler: LambdaHandler): void;
  close(): Promise<void>;
}

export const BRIDGE_ROUTES: readonly string[] = ['GET /login', 'GET /callback', 'GET /logout'];

/** API Gateway's payload limit; larger requests never reach the function. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export async function startApiGatewayAdapter(options: ApiGatewayAdapterOptions): Promise<ApiGatewayAdapter> {
  let handler = options.handler;
  const routes = new Set(options.routes ?? BRIDGE_ROUTES);
  const functionName = options.functionName ?? 'twentythree-sso-local';
  const functionTimeoutMs = options.functionTimeoutMs ?? 10_000;
  const integrationTimeoutMs = options.integrationTimeoutMs ?? 30_000;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const started = Date.now();
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === undefined) return sendGatewayMessage(res, 413, 'Request Entity Too Large');

    const rawUrl = req.url ?? '/';
    const queryStart = rawUrl.indexOf('?');
    const rawPath = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
    const method = (req.method ?? 'GET').toUpperCase();
    const routeKey = `${method} ${rawPath}`;
    if (!routes.has(routeKey) && !routes.has('$default')) return sendGatewayMessage(res, 404, 'Not Found');
    if (!handler) return sendGatewayMessage(res, 503, 'Service Unavailable');

    const event = toEvent(req, {
      routeKey: routes.has(routeKey) ? routeKey : '$default',
      rawPath,
      rawQueryString: queryStart === -1 ? '' : rawUrl.slice(queryStart + 1),
      body,
      timeEpoch: started,
    });
    const context = lambdaContext(functionName, started + functionTimeoutMs);

    let result: Awaited<ReturnType<LambdaHandler>>;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), integrationTimeoutMs);
      });
      const outcome = await Promise.race([handler(event, context), timedOut]);
      if (outcome === 'timeout') return sendGatewayMessage(res, 503, 'Service Unavailable');
      result = outcome;
    } catch (error) {
      // The function failed: API Gateway hides the error behind its own 500 (the stack goes to the function's log).
      console.error(`[apigw] the function threw on ${routeKey}: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}`);
      return sendGatewayMessage(res, 500, 'Internal Server Error');
    } finally {
      clearTimeout(timer);
    }
    return writeResult(res, result, event.requestContext.requestId);
  }

  const server = await listenOnLoopback(
    (req, res) => {
      const started = Date.now();
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      serve(req, res)
        .catch(() => sendGatewayMessage(res, 500, 'Internal Server Error'))
        .then((status) => options.onResponse?.({ method: req.method ?? 'GET', path, status, ms: Date.now() - started }))
        .catch(() => undefined);
    },
    { port: options.port, host: options.host },
  );

  return {
    url: server.origin,
    port: server.port,
    setHandler(next) {
      handler = next;
    },
    close: () => server.close(),
  };
}

interface EventParts {
  readonly routeKey: string;
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly body: Buffer;
  readonly timeEpoch: number;
}

/** Builds the payload 2.0 event API Gateway sends for this request. */
export function toEvent(req: IncomingMessage, parts: EventParts): APIGatewayProxyEventV2 {
  const headers = joinHeaders(req.headersDistinct);
  // Payload 2.0 moves the Cookie header into `cookies`, one entry per cookie.
  const cookieHeader = headers.cookie;
  delete headers.cookie;
  const cookies = cookieHeader === undefined ? undefined : splitCookies(cookieHeader);
  const host = headers.host ?? 'localhost';
  const requestId = randomBytes(12).toString('base64').replace(/[+/]/g, 'A').slice(0, 16);
  const method = (req.method ?? 'GET').toUpperCase();
  const text = isTextual(headers['content-type']);
  const time = new Date(parts.timeEpoch);

  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: parts.routeKey,
    rawPath: parts.rawPath,
    rawQueryString: parts.rawQueryString,
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0]?.split(':')[0] ?? 'localhost',
      http: {
        method,
        path: parts.rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: normaliseIp(req.socket.remoteAddress),
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: parts.routeKey,
      stage: '$default',
      time: formatRequestTime(time),
      timeEpoch: parts.timeEpoch,
    },
    isBase64Encoded: false,
  };
  if (cookies && cookies.length > 0) event.cookies = cookies;
  const query = queryParameters(parts.rawQueryString);
  if (query) event.queryStringParameters = query;
  if (parts.body.length > 0) {
    event.body = text ? parts.body.toString('utf8') : parts.body.toString('base64');
    event.isBase64Encoded = !text;
  }
  return event;
}

/** Lower-cased names; repeated headers joined with "," as API Gateway does (Node's own join adds a space). */
function joinHeaders(distinct: NodeJS.Dict<string[]>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(distinct)) {
    if (values === undefined) continue;
    // Several Cookie headers are one cookie list.
    headers[name.toLowerCase()] = values.join(name.toLowerCase() === 'cookie' ? '; ' : ',');
  }
  return headers;
}

/** `a=1; b=2` → [`a=1`, `b=2`]; Node joins several Cookie headers with "; " already. */
export function splitCookies(header: string): string[] {
  return header
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
}

/** Decoded parameters with repeated names joined by commas; undefined when there is no query. */
function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const result: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    result[name] = name in result ? `${result[name]},${value}` : value;
  }
  return result;
}

function isTextual(contentType: string | undefined): boolean {
  if (contentType === undefined) return true;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    ['application/json', 'application/x-www-form-urlencoded', 'application/xml', 'application/javascript'].includes(type) ||
    type.endsWith('+json') ||
    type.endsWith('+xml')
  );
}

function normaliseIp(address: string | undefined): string {
  if (!address) return '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestContext.time` format: `12/Mar/2020:19:03:58 +0000`. */
function formatRequestTime(time: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(time.getUTCDate())}/${MONTHS[time.getUTCMonth()]}/${time.getUTCFullYear()}:${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())}:${pad(time.getUTCSeconds())} +0000`;
}

/** The Lambda context a real invocation gets; `deadline` drives getRemainingTimeInMillis. */
export function lambdaContext(functionName: string, deadline: number): Context {
  const awsRequestId = randomUUID();
  const fail = () => {
    throw new Error('callback-style completion is not supported: return a promise');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/[$LATEST]${awsRequestId.replace(/-/g, '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: fail,
    fail,
    succeed: fail,
  };
}

/** Writes the function's result the way API Gateway interprets payload 2.0 responses. */
function writeResult(res: ServerResponse, result: Awaited<ReturnType<LambdaHandler>>, requestId: string): number {
  if (res.headersSent) return res.statusCode;
  const structured = isStructured(result) ? result : undefined;
  if (!structured) {
    // Not a structured response: API Gateway assumes 200 and JSON (a string is passed through as the body).
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'apigw-requestid': requestId });
    res.end(body);
    return 200;
  }

  const status = structured.statusCode ?? 200;
  const headers: Record<string, string | string[]> = {};
  const setHeader = (name: string, value: string | string[]) => {
    const key = name.toLowerCase();
    const existing = headers[key];
    if (existing === undefined) headers[key] = value;
    else headers[key] = [...(Array.isArray(existing) ? existing : [existing]), ...(Array.isArray(value) ? value : [value])];
  };
  for (const [name, value] of Object.entries(structured.headers ?? {})) setHeader(name, String(value));
  const multi = (structured as { multiValueHeaders?: Record<string, ReadonlyArray<string | number | boolean>> }).multiValueHeaders;
  for (const [name, values] of Object.entries(multi ?? {})) setHeader(name, values.map(String));
  const cookies = structured.cookies ?? [];
  if (cookies.length > 0) setHeader('set-cookie', [...cookies]);

  const body = structured.body === undefined ? Buffer.alloc(0) : Buffer.from(structured.body, structured.isBase64Encoded ? 'base64' : 'utf8');
  headers['content-length'] = String(body.length);
  headers['apigw-requestid'] = requestId;
  res.writeHead(status, headers);
  res.end(body);
  return status;
}

function isStructured(result: unknown): result is APIGatewayProxyStructuredResultV2 {
  return typeof result === 'object' && result !== null && 'statusCode' in result;
}

/** API Gateway's own JSON error bodies, e.g. `{"message":"Not Found"}`. */
function sendGatewayMessage(res: ServerResponse, status: number, message: string): number {
  if (res.headersSent) return res.statusCode;
  const body = JSON.stringify({ message });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'apigw-requestid': randomBytes(8).toString('hex') });
  res.end(body);
  return status;
}

