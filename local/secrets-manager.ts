// A local stand-in for AWS Secrets Manager's GetSecretValue, spoken over the real wire protocol
// (awsJson1_1), so the handler's unmodified SDK client reads its secrets from it through
// AWS_ENDPOINT_URL_SECRETS_MANAGER. Seeded from a map; values can be replaced to simulate rotation.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback, readBody } from './loopback.js';

export interface LocalSecretsManagerOptions {
  /** 0 (default) = an ephemeral port. */
  readonly port?: number;
  /** Listen on this address only; default 127.0.0.1 and ::1. */
  readonly host?: string;
  /** Secret name → SecretString. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Region used in the ARNs (default `us-east-1`); the client's own region is not checked. */
  readonly region?: string;
}

export interface LocalSecretsManager {
  /** `http://localhost:<port>`: the value for AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  readonly url: string;
  /** Number of GetSecretValue requests answered (found or not): lets tests prove caching. */
  readonly getSecretValueCalls: number;
  /** GetSecretValue requests for one secret, by name. */
  callsFor(name: string): number;
  /** The ARN the endpoint reports for a secret name. */
  arnFor(name: string): string;
  /** Creates a secret or stores a new version of it (rotation). */
  put(name: string, value: string): void;
  /** Deletes a secret: later reads get ResourceNotFoundException. */
  remove(name: string): void;
  close(): Promise<void>;
}

interface StoredSecret {
  readonly name: string;
  readonly arn: string;
  value: string;
  versionId: string;
  readonly createdDate: number;
}

const MAX_BODY_BYTES = 64 * 1024;

export async function startSecretsManager(options: LocalSecretsManagerOptions = {}): Promise<LocalSecretsManager> {
  const region = options.region ?? 'us-east-1';
  const byName = new Map<string, StoredSecret>();
  const calls = new Map<string, number>();
  let getSecretValueCalls = 0;

  const arnPrefix = (name: string) => `arn:aws:secretsmanager:${region}:000000000000:secret:${name}`;

  function put(name: string, value: string): void {
    const existing = byName.get(name);
    if (existing) {
      existing.value = value;
      existing.versionId = randomUUID();
      return;
    }
    // Real ARNs end in "-" + 6 random characters; clients must not assume they can build one from the name.
    const suffix = randomBytes(6).toString('base64url').slice(0, 6);
    byName.set(name, { name, arn: `${arnPrefix(name)}-${suffix}`, value, versionId: randomUUID(), createdDate: Math.floor(Date.now() / 1000) });
  }

  /** By name, by full ARN, or by the partial ARN without the random suffix, as Secrets Manager does. */
  function find(secretId: string): StoredSecret | undefined {
    const direct = byName.get(secretId);
    if (direct) return direct;
    for (const secret of byName.values()) {
      if (secret.arn === secretId || arnPrefix(secret.name) === secretId) return secret;
    }
    return undefined;
  }

  for (const [name, value] of Object.entries(options.secrets ?? {})) put(name, value);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readBody(req, MAX_BODY_BYTES))?.toString('utf8');
    if (body === undefined) return sendError(res, 413, 'RequestEntityTooLargeException', 'Request body too large.');
    if (req.method !== 'POST' || (req.url ?? '/') !== '/') return sendError(res, 404, 'UnknownOperationException', 'Only POST / is served here.');
    // The SDK always signs; a request without SigV4 means a client that would fail against AWS too.
    if (!/^AWS4-HMAC-SHA256 Credential=/.test(req.headers.authorization ?? '')) {
      return sendError(res, 400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
    const target = req.headers['x-amz-target'];
    if (target !== 'secretsmanager.GetSecretValue') {
      return sendError(res, 400, 'UnknownOperationException', `This local endpoint only answers GetSecretValue, not ${String(target).slice(0, 80)}.`);
    }
    let secretId: unknown;
    try {
      secretId = (JSON.parse(body) as { SecretId?: unknown }).SecretId;
    } catch {
      return sendError(res, 400, 'SerializationException', 'The request body is not valid JSON.');
    }
    if (typeof secretId !== 'string' || secretId.length === 0) {
      return sendError(res, 400, 'ValidationException', "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null");
    }
    getSecretValueCalls++;
    const secret = find(secretId);
    if (!secret) return sendError(res, 400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    calls.set(secret.name, (calls.get(secret.name) ?? 0) + 1);
    send(res, 200, {
      ARN: secret.arn,
      Name: secret.name,
      SecretString: secret.value,
      VersionId: secret.versionId,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: secret.createdDate,
    });
  }

  const server = await listenOnLoopback(
    (req, res) => {
      handle(req, res).catch(() => sendError(res, 500, 'InternalServiceError', 'The local Secrets Manager failed.'));
    },
    { port: options.port ?? 0, host: options.host },
  );

  return {
    url: server.origin,
    get getSecretValueCalls() {
      return getSecretValueCalls;
    },
    callsFor: (name) => calls.get(name) ?? 0,
    arnFor(name) {
      const secret = byName.get(name);
      if (!secret) throw new Error(`No local secret named ${name}.`);
      return secret.arn;
    },
    put,
    remove: (name) => void byName.delete(name),
    close: () => server.close(),
  };
}


function send(res: ServerResponse, status: number, payload: unknown): void {
  if (res.headersSent) return;
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}

/** awsJson1_1 errors: the type in `__type`, the text in `message`; the SDK throws the matching exception class. */
function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  send(res, status, { __type: type, message });
}
