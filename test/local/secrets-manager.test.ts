// The local Secrets Manager endpoint, read by the real AWS SDK client configured only through the
// environment — exactly how the handler's default-configured client finds it in local mode.
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startSecretsManager, type LocalSecretsManager } from '../../local/secrets-manager.js';

const SDK_ENV = ['AWS_ENDPOINT_URL_SECRETS_MANAGER', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'] as const;

describe('Function: startSecretsManager', () => {
  let secrets: LocalSecretsManager;
  const saved: Partial<Record<(typeof SDK_ENV)[number], string | undefined>> = {};

  beforeAll(async () => {
    secrets = await startSecretsManager({ secrets: { 'bridge/twentythree': '{"consumer_key":"ck"}', 'bridge/state-key': 'k'.repeat(40) }, region: 'eu-west-1' });
    for (const name of SDK_ENV) saved[name] = process.env[name];
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = secrets.url;
    process.env.AWS_REGION = 'eu-west-1';
    process.env.AWS_ACCESS_KEY_ID = 'AKIDLOCAL';
    process.env.AWS_SECRET_ACCESS_KEY = 'local-secret-access-key';
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
  });

  afterAll(async () => {
    for (const name of SDK_ENV) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await secrets.close();
  });

  it('answers GetSecretValue by name to a default-configured SDK client', async () => {
    // Prepare
    const client = new SecretsManagerClient({});

    // Act
    const result = await client.send(new GetSecretValueCommand({ SecretId: 'bridge/twentythree' }));

    // Assess
    expect(result.SecretString).toBe('{"consumer_key":"ck"}');
    expect(result.Name).toBe('bridge/twentythree');
    expect(result.ARN).toMatch(/^arn:aws:secretsmanager:eu-west-1:000000000000:secret:bridge\/twentythree-.{6}$/);
    expect(result.VersionId).toEqual(expect.any(String));
    expect(result.CreatedDate).toBeInstanceOf(Date);
    client.destroy();
  });

  it('finds a secret by its full ARN and by its partial ARN', async () => {
    const client = new SecretsManagerClient({});
    const arn = secrets.arnFor('bridge/state-key');

    const full = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    const partial = await client.send(new GetSecretValueCommand({ SecretId: arn.slice(0, -7) }));

    expect(full.SecretString).toBe('k'.repeat(40));
    expect(partial.SecretString).toBe('k'.repeat(40));
    client.destroy();
  });

  it('throws the SDK ResourceNotFoundException for an unknown secret', async () => {
    const client = new SecretsManagerClient({});

    const read = client.send(new GetSecretValueCommand({ SecretId: 'bridge/missing' }));

    await expect(read).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(read).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
    client.destroy();
  });

  it('serves the new value after put() and counts every request', async () => {
    const client = new SecretsManagerClient({});
    const before = secrets.getSecretValueCalls;
    const versionBefore = (await client.send(new GetSecretValueCommand({ SecretId: 'bridge/twentythree' }))).VersionId;

    secrets.put('bridge/twentythree', '{"consumer_key":"rotated"}');
    const after = await client.send(new GetSecretValueCommand({ SecretId: 'bridge/twentythree' }));

    expect(after.SecretString).toBe('{"consumer_key":"rotated"}');
    expect(after.VersionId).not.toBe(versionBefore);
    expect(secrets.getSecretValueCalls).toBe(before + 2);
    expect(secrets.callsFor('bridge/twentythree')).toBeGreaterThanOrEqual(2);
    client.destroy();
  });

  it('refuses other operations with UnknownOperationException', async () => {
    const response = await fetch(secrets.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'secretsmanager.PutSecretValue',
        authorization: 'AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260101/eu-west-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=00',
      },
      body: JSON.stringify({ SecretId: 'bridge/twentythree', SecretString: 'x' }),
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('refuses an unsigned request, as AWS does', async () => {
    const response = await fetch(secrets.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
      body: JSON.stringify({ SecretId: 'bridge/twentythree' }),
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });
});
