// Local mode with real parts swapped in through the environment (TWENTYTHREE_*, OIDC_*), and its start-up
// refusals. The "real" site and provider here are a separately started sandbox and provider on loopback,
// which is exactly what the plain-http-on-localhost rule is for.
import { createServer, type Server } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../../lambda/errors.js';
import { startOidcProvider } from '../../local/oidc-provider.js';
import { LocalSettingsError } from '../../local/settings.js';
import { startLocalStack } from '../../local/stack.js';
import { startTwentyThreeSandbox } from '../../local/twentythree-sandbox.js';
import { captureLogger } from '../support/capture-logger.js';
import { HttpSession, pageText } from '../support/http-session.js';
import { freePort } from '../support/ports.js';
import { signIn } from '../support/sign-in.js';

describe('Function: startLocalStack', () => {
  describe('swapping in real parts', () => {
    it('uses the TwentyThree site named by the five TWENTYTHREE_* variables instead of the sandbox', async () => {
      const credentials = { consumerKey: 'real-ck', consumerSecret: 'real-cs', accessToken: 'real-at', accessTokenSecret: 'real-ats' };
      const site = await startTwentyThreeSandbox({ port: 0, host: 'localhost', credentials });
      const stack = await startLocalStack({
        port: 0,
        logger: captureLogger().logger,
        env: {
          TWENTYTHREE_URL: site.url,
          TWENTYTHREE_CONSUMER_KEY: credentials.consumerKey,
          TWENTYTHREE_CONSUMER_SECRET: credentials.consumerSecret,
          TWENTYTHREE_ACCESS_TOKEN: credentials.accessToken,
          TWENTYTHREE_ACCESS_TOKEN_SECRET: credentials.accessTokenSecret,
        },
      });
      try {
        site.setBridgeUrl(stack.bridgeUrl);

        const journey = await signIn(new HttpSession(), `${site.url}/v/7`, 'alice');

        expect(stack.embedded).toEqual({ twentyThree: false, oidc: true });
        expect(stack.sandbox).toBeUndefined();
        expect(stack.siteUrl).toBe(site.url);
        // The real site's own SSO settings point at the deployed bridge: local mode starts at its own /login instead.
        expect(stack.openUrl).toBe(`${stack.bridgeUrl}/login?return_url=%2F`);
        expect(pageText(journey.afterSubmit.final.body)).toContain('Signed in as Alice Example');
        expect(site.getTokenCalls).toBe(1);
        expect(site.lastGetToken?.oauthIn).toBe('header');
      } finally {
        await stack.close();
        await site.close();
      }
    });

    it('uses the OpenID provider named by OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET, with the callback on PORT', async () => {
      const port = await freePort();
      const provider = await startOidcProvider({
        clientId: 'real-client',
        clientSecret: 'real-client-secret',
        redirectUri: `http://localhost:${port}/callback`,
        postLogoutRedirectUri: 'http://localhost:1/',
      });
      const stack = await startLocalStack({
        sandboxPort: 0,
        logger: captureLogger().logger,
        env: { PORT: String(port), OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: 'real-client', OIDC_CLIENT_SECRET: 'real-client-secret' },
      });
      try {
        const journey = await signIn(new HttpSession(), `${stack.siteUrl}/`, 'dana');

        expect(stack.embedded).toEqual({ twentyThree: true, oidc: false });
        expect(stack.oidc).toBeUndefined();
        expect(stack.bridgeUrl).toBe(`http://localhost:${port}`);
        expect(stack.handlerEnv).toMatchObject({ OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: 'real-client', CALLBACK_URL: `http://localhost:${port}/callback` });
        expect(stack.handlerEnv.OIDC_CLIENT_SECRET_ID).toMatch(/^arn:aws:secretsmanager:/);
        expect(stack.handlerEnv).not.toHaveProperty('COGNITO_DOMAIN_URL');
        expect(pageText(journey.afterSubmit.final.body)).toContain("Signed in as Dana Zoë O'Brien (QA)");
        expect(provider.revokedTokens).toHaveLength(1);
      } finally {
        await stack.close();
        await provider.close();
      }
    });

    it('never puts a secret value in the handler environment: only the ARNs of secrets in the local Secrets Manager', async () => {
      const stack = await startLocalStack({ port: 0, env: {}, logger: captureLogger().logger });
      const client = new SecretsManagerClient({
        endpoint: stack.handlerEnv.AWS_ENDPOINT_URL_SECRETS_MANAGER,
        region: stack.handlerEnv.AWS_REGION,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
      try {
        const ids = [stack.handlerEnv.TWENTYTHREE_SECRET_ID, stack.handlerEnv.OIDC_CLIENT_SECRET_ID, stack.handlerEnv.STATE_KEY_SECRET_ID];
        const stored = await Promise.all(ids.map(async (id) => (await client.send(new GetSecretValueCommand({ SecretId: id }))).SecretString ?? ''));
        // Every string value inside the secrets (the JSON fields, or the plain string itself).
        const secretValues = stored.flatMap((text) => (text.startsWith('{') ? Object.values(JSON.parse(text) as Record<string, string>) : [text]));
        const environment = Object.values(stack.handlerEnv).join('\n');

        expect(secretValues).toHaveLength(6);
        expect(secretValues.filter((value) => environment.includes(value))).toEqual([]);
      } finally {
        client.destroy();
        await stack.close();
      }
    });
  });

  describe('start-up refusals', () => {
    it('stops with one sentence, before starting anything, on a malformed PORT', async () => {
      await expect(startLocalStack({ env: { PORT: 'eighty' } })).rejects.toThrow(new LocalSettingsError('PORT must be a whole number from 1 to 65535, got "eighty".'));
    });

    it('stops with one sentence naming what is missing on a partial TwentyThree set', async () => {
      await expect(startLocalStack({ env: { TWENTYTHREE_URL: 'https://videos.example.com' }, port: 0 })).rejects.toThrow(
        /^To use a real TwentyThree site, set all five of .*; missing: TWENTYTHREE_CONSUMER_KEY, TWENTYTHREE_CONSUMER_SECRET, TWENTYTHREE_ACCESS_TOKEN, TWENTYTHREE_ACCESS_TOKEN_SECRET\.$/,
      );
    });

    it('says which port is taken when PORT is in use', async () => {
      const port = await freePort();
      const blocker: Server = createServer();
      await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
      try {
        await expect(startLocalStack({ env: { PORT: String(port) } })).rejects.toThrow(
          new LocalSettingsError(`Port ${port} (PORT, for the bridge) is already in use: stop the program using it or set PORT to another port.`),
        );
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    });

    it("stops with the handler's own sentence on a malformed pass-through setting, and releases its ports", async () => {
      const port = await freePort();

      await expect(startLocalStack({ env: { PORT: String(port), SEND_EMAIL: 'always' }, sandboxPort: 0 })).rejects.toThrow(ConfigError);
      const again = await startLocalStack({ env: { PORT: String(port) }, sandboxPort: 0, logger: captureLogger().logger });
      await again.close();

      expect(again.bridgeUrl).toBe(`http://localhost:${port}`);
    });
  });
});
