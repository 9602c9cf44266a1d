// The secret cache with the real SDK client talking to the local Secrets Manager endpoint over loopback:
// max age, one shared in-flight request, forced refresh, typed errors.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretInvalidError, SecretUnavailableError } from '../../../lambda/errors.js';
import { SecretCache } from '../../../lambda/secrets/secret-cache.js';
import { startSecretsManager, type LocalSecretsManager } from '../../../local/secrets-manager.js';

const MAX_AGE_MS = 5 * 60 * 1000;

let endpoint: LocalSecretsManager;
let client: SecretsManagerClient;
let clock: number;
/** Responses to requests started while this is set wait for it (after the HTTP round trip) before the SDK returns. */
let gate: Promise<void> | undefined;

function sdkClient(url: string): SecretsManagerClient {
  const sdk = new SecretsManagerClient({
    endpoint: url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret-access-key' },
    maxAttempts: 1,
  });
  // A real SDK middleware (no stub): the request really goes out and is answered; only handing back the answer waits.
  sdk.middlewareStack.add(
    (next) => async (args) => {
      const held = gate;
      const result = await next(args);
      if (held !== undefined) await held;
      return result;
    },
    { step: 'deserialize', name: 'holdForTest' },
  );
  return sdk;
}

function hold(): () => void {
  let release!: () => void;
  gate = new Promise<void>((resolve) => (release = resolve));
  return () => {
    gate = undefined;
    release();
  };
}

function cache(): SecretCache {
  return new SecretCache({ client, maxAgeMs: MAX_AGE_MS, now: () => clock });
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

beforeEach(async () => {
  clock = 1_000_000;
  gate = undefined;
  endpoint = await startSecretsManager({ host: '127.0.0.1', secrets: { 'bridge/twentythree': 'v1', other: 'o1' } });
  client = sdkClient(endpoint.url);
});

afterEach(async () => {
  client.destroy();
  await endpoint.close();
});

describe('Class: SecretCache', () => {
  describe('Method: getString', () => {
    it('asks Secrets Manager once and serves the value from the cache while it is younger than the max age', async () => {
      const secrets = cache();
      expect(await secrets.getString('bridge/twentythree')).toBe('v1');
      endpoint.put('bridge/twentythree', 'v2');
      clock += MAX_AGE_MS - 1;
      expect(await secrets.getString('bridge/twentythree')).toBe('v1');
      expect(endpoint.callsFor('bridge/twentythree')).toBe(1);
    });

    it('asks again once the value reaches the max age', async () => {
      const secrets = cache();
      await secrets.getString('bridge/twentythree');
      endpoint.put('bridge/twentythree', 'v2');
      clock += MAX_AGE_MS;
      expect(await secrets.getString('bridge/twentythree')).toBe('v2');
      expect(endpoint.callsFor('bridge/twentythree')).toBe(2);
    });

    it('keeps one entry per secret id', async () => {
      const secrets = cache();
      expect(await secrets.getString('bridge/twentythree')).toBe('v1');
      expect(await secrets.getString('other')).toBe('o1');
      expect(await secrets.getString('other')).toBe('o1');
      expect(endpoint.getSecretValueCalls).toBe(2);
    });

    it('sends exactly one request for N concurrent callers, including callers that arrive while it is in flight', async () => {
      const secrets = cache();
      const release = hold();
      const early = Array.from({ length: 5 }, () => secrets.getString('bridge/twentythree'));
      await waitFor(() => endpoint.getSecretValueCalls === 1);
      const late = Array.from({ length: 5 }, () => secrets.getString('bridge/twentythree'));
      release();
      expect(await Promise.all([...early, ...late])).toEqual(Array(10).fill('v1'));
      expect(endpoint.getSecretValueCalls).toBe(1);
    });

    it('bypasses a fresh cached value with forceRefresh and caches what it read', async () => {
      const secrets = cache();
      await secrets.getString('bridge/twentythree');
      endpoint.put('bridge/twentythree', 'rotated');
      expect(await secrets.getString('bridge/twentythree', { forceRefresh: true })).toBe('rotated');
      expect(await secrets.getString('bridge/twentythree')).toBe('rotated');
      expect(endpoint.callsFor('bridge/twentythree')).toBe(2);
    });

    it('shares one forced refresh among concurrent forced callers', async () => {
      const secrets = cache();
      await secrets.getString('bridge/twentythree');
      const release = hold();
      const first = secrets.getString('bridge/twentythree', { forceRefresh: true });
      await waitFor(() => endpoint.callsFor('bridge/twentythree') === 2);
      const second = secrets.getString('bridge/twentythree', { forceRefresh: true });
      const normal = secrets.getString('bridge/twentythree');
      release();
      await Promise.all([first, second, normal]);
      expect(endpoint.callsFor('bridge/twentythree')).toBe(2);
    });

    it('does not let a forced refresh join a fetch that was already under way, nor that older fetch overwrite the newer value', async () => {
      const secrets = cache();
      const release = hold();
      const stale = secrets.getString('bridge/twentythree');
      await waitFor(() => endpoint.callsFor('bridge/twentythree') === 1);
      gate = undefined; // the next request is answered at once
      endpoint.put('bridge/twentythree', 'rotated');
      expect(await secrets.getString('bridge/twentythree', { forceRefresh: true })).toBe('rotated');
      release();
      expect(await stale).toBe('v1');
      expect(await secrets.getString('bridge/twentythree')).toBe('rotated');
      expect(endpoint.callsFor('bridge/twentythree')).toBe(2);
    });

    it('throws SecretUnavailableError naming the secret id and the AWS error, and does not cache the failure', async () => {
      const secrets = cache();
      const error = await secrets.getString('missing/secret').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SecretUnavailableError);
      expect(error).toMatchObject({ status: 502, code: 'secret_unavailable' });
      expect((error as Error).message).toBe('Secrets Manager could not read secret "missing/secret" (ResourceNotFoundException).');
      endpoint.put('missing/secret', 'now here');
      expect(await secrets.getString('missing/secret')).toBe('now here');
    });

    it('throws SecretUnavailableError when Secrets Manager cannot be reached', async () => {
      const unreachable = sdkClient('http://127.0.0.1:9'); // discard port: nothing listens there
      const secrets = new SecretCache({ client: unreachable, maxAgeMs: MAX_AGE_MS });
      const error = await secrets.getString('bridge/twentythree').catch((e: unknown) => e);
      unreachable.destroy();
      expect(error).toBeInstanceOf(SecretUnavailableError);
      expect((error as Error).message).toMatch(/^Secrets Manager could not read secret "bridge\/twentythree" \(\w+\)\.$/);
    });

    it('throws SecretInvalidError for a secret without a SecretString (binary)', async () => {
      const binary = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(JSON.stringify({ ARN: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:bin-abcdef', Name: 'bin', SecretBinary: 'AAEC', VersionId: 'v' }));
        });
      });
      await new Promise<void>((resolve) => binary.listen(0, '127.0.0.1', resolve));
      const binaryClient = sdkClient(`http://127.0.0.1:${(binary.address() as AddressInfo).port}`);
      try {
        const error = await new SecretCache({ client: binaryClient, maxAgeMs: MAX_AGE_MS }).getString('bin').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SecretInvalidError);
        expect((error as Error).message).toMatch(/^Secret "bin" has no SecretString/);
      } finally {
        binaryClient.destroy();
        await new Promise((resolve) => binary.close(resolve));
      }
    });
  });

  describe('Method: clear', () => {
    it('forgets cached values, and a fetch in flight during clear() does not repopulate the cache', async () => {
      const secrets = cache();
      await secrets.getString('bridge/twentythree');
      const release = hold();
      const inFlight = secrets.getString('bridge/twentythree', { forceRefresh: true });
      await waitFor(() => endpoint.callsFor('bridge/twentythree') === 2);
      secrets.clear();
      endpoint.put('bridge/twentythree', 'v2');
      release();
      expect(await inFlight).toBe('v1');
      expect(await secrets.getString('bridge/twentythree')).toBe('v2');
      expect(endpoint.callsFor('bridge/twentythree')).toBe(3);
    });
  });
});
