// Reading the bridge's three secrets through the cache and the real SDK: shapes accepted, and errors that name
// the secret and the field but never a value.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretInvalidError } from '../../../lambda/errors.js';
import { readClientSecret, readStateKeyMaterial, readTwentyThreeCredentials } from '../../../lambda/secrets/bridge-secrets.js';
import { SecretCache } from '../../../lambda/secrets/secret-cache.js';
import { startSecretsManager, type LocalSecretsManager } from '../../../local/secrets-manager.js';

const FULL = { consumer_key: 'ck-Zoë+1', consumer_secret: 'cs secret/&=', access_token: 'at-123', access_token_secret: 'ats~!*()' };

let endpoint: LocalSecretsManager;
let client: SecretsManagerClient;
let cache: SecretCache;

beforeEach(async () => {
  endpoint = await startSecretsManager({ host: '127.0.0.1' });
  client = new SecretsManagerClient({
    endpoint: endpoint.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret-access-key' },
    maxAttempts: 1,
  });
  cache = new SecretCache({ client, maxAgeMs: 60_000 });
});

afterEach(async () => {
  client.destroy();
  await endpoint.close();
});

async function invalid(promise: Promise<unknown>): Promise<SecretInvalidError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SecretInvalidError);
  return error as SecretInvalidError;
}

describe('Function: readTwentyThreeCredentials', () => {
  it('reads the four fields, trimming stray whitespace', async () => {
    endpoint.put('t23', JSON.stringify({ ...FULL, access_token: ' at-123\n' }));
    expect(await readTwentyThreeCredentials(cache, 't23')).toEqual({
      consumerKey: 'ck-Zoë+1',
      consumerSecret: 'cs secret/&=',
      accessToken: 'at-123',
      accessTokenSecret: 'ats~!*()',
    });
  });

  it('names every missing or empty field and the secret, never a value', async () => {
    endpoint.put('t23', JSON.stringify({ consumer_key: 'ck-visible', consumer_secret: 'hidden-secret-value', access_token: '  ', access_token_secret: 42 }));
    const error = await invalid(readTwentyThreeCredentials(cache, 't23'));
    expect(error.message).toBe(
      'Secret "t23" is missing access_token, access_token_secret (each must be a non-empty string; expected consumer_key, consumer_secret, access_token, access_token_secret).',
    );
    expect(error).toMatchObject({ code: 'secret_invalid', status: 500 });
  });

  it('says so when the secret is not JSON, without quoting it', async () => {
    endpoint.put('t23', 'consumer_key=abc;secret=hidden-secret-value');
    const error = await invalid(readTwentyThreeCredentials(cache, 't23'));
    expect(error.message).toBe('Secret "t23" is not a JSON object; it must hold consumer_key, consumer_secret, access_token, access_token_secret.');
    expect(JSON.stringify(error)).not.toContain('hidden-secret-value');
  });

  it('reads the secret again with forceRefresh (rotated credentials)', async () => {
    endpoint.put('t23', JSON.stringify(FULL));
    await readTwentyThreeCredentials(cache, 't23');
    endpoint.put('t23', JSON.stringify({ ...FULL, consumer_secret: 'rotated' }));
    expect((await readTwentyThreeCredentials(cache, 't23')).consumerSecret).toBe('cs secret/&=');
    expect((await readTwentyThreeCredentials(cache, 't23', { forceRefresh: true })).consumerSecret).toBe('rotated');
    expect(endpoint.callsFor('t23')).toBe(2);
  });
});

describe('Function: readClientSecret', () => {
  it('reads a plain string', async () => {
    endpoint.put('client', 'abc123secret\n');
    expect(await readClientSecret(cache, 'client')).toBe('abc123secret');
  });

  it('reads {"client_secret": …}', async () => {
    endpoint.put('client', JSON.stringify({ client_secret: 'from-json' }));
    expect(await readClientSecret(cache, 'client')).toBe('from-json');
  });

  it('names client_secret when the JSON lacks it, and refuses broken JSON and an empty secret', async () => {
    endpoint.put('client', JSON.stringify({ secret: 'hidden-secret-value' }));
    const missing = await invalid(readClientSecret(cache, 'client'));
    expect(missing.message).toBe('Secret "client" is missing client_secret (a non-empty string).');
    expect(missing.message).not.toContain('hidden');

    endpoint.put('broken', '{"client_secret": "hidden-secret-value"');
    const broken = await invalid(readClientSecret(cache, 'broken'));
    expect(broken.message).toMatch(/^Secret "broken" starts with "\{" but is not valid JSON/);
    expect(broken.message).not.toContain('hidden');

    endpoint.put('empty', '  ');
    expect((await invalid(readClientSecret(cache, 'empty'))).message).toMatch(/^Secret "empty" is empty/);
  });
});

describe('Function: readStateKeyMaterial', () => {
  it('reads a plain string and {"key": …} of at least 32 characters', async () => {
    endpoint.put('plain', 'k'.repeat(32));
    endpoint.put('json', JSON.stringify({ key: 'j'.repeat(40) }));
    expect(await readStateKeyMaterial(cache, 'plain')).toBe('k'.repeat(32));
    expect(await readStateKeyMaterial(cache, 'json')).toBe('j'.repeat(40));
  });

  it('refuses key material shorter than 32 characters, naming the length and not the value', async () => {
    endpoint.put('short', JSON.stringify({ key: 'short-hidden-value' }));
    const error = await invalid(readStateKeyMaterial(cache, 'short'));
    expect(error.message).toBe('Secret "short" holds key material of 18 characters; it needs at least 32.');
  });

  it('names the key field when the JSON lacks it', async () => {
    endpoint.put('nokey', JSON.stringify({ material: 'x'.repeat(40) }));
    expect((await invalid(readStateKeyMaterial(cache, 'nokey'))).message).toBe('Secret "nokey" is missing key (a non-empty string).');
  });
});
