// Wires local mode together on loopback: a local Secrets Manager, the TwentyThree sandbox (or a real
// site), the embedded OpenID provider (or a real one), and the bridge behind the API Gateway adapter.
// The bridge gets exactly the environment the CDK stack gives the Lambda, with ids of secrets that live
// in the local Secrets Manager, never secret values.
import { randomBytes } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createHandler } from '../lambda/app.js';
import { loadConfig } from '../lambda/config.js';
import { startApiGatewayAdapter, type ApiGatewayAdapter, type LambdaHandler } from './apigw-adapter.js';
import { startOidcProvider, type EmbeddedOidcProvider } from './oidc-provider.js';
import { startSecretsManager, type LocalSecretsManager } from './secrets-manager.js';
import { LocalSettingsError, readLocalSettings, type LocalSettings } from './settings.js';
import { startTwentyThreeSandbox, type TwentyThreeSandbox } from './twentythree-sandbox.js';

/** The embedded provider's client: fixed id (it is not a secret), random secret per start. */
export const LOCAL_CLIENT_ID = 'local-bridge-client';

const SECRET_NAMES = {
  twentyThree: 'twentythree-sso/local/twentythree',
  clientSecret: 'twentythree-sso/local/oidc-client-secret',
  stateKey: 'twentythree-sso/local/state-key',
};

/** Fake static credentials and region for the SDK: the local endpoint checks that requests are signed, not by whom. */
const SDK_SETTINGS = { region: 'eu-west-1', accessKeyId: 'AKIDLOCALMODE0000000', secretAccessKey: 'local-mode-not-a-secret' };

export interface LocalStackOptions {
  /** Where PORT, TWENTYTHREE_* and OIDC_* are read from (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The bridge's port, overriding PORT; 0 = ephemeral (tests). */
  readonly port?: number;
  /** The sandbox's port; default PORT+1, or ephemeral when the bridge's port is. */
  readonly sandboxPort?: number;
  /** Extra handler environment (e.g. `TWENTYTHREE_TIMEOUT_MS`), over the pass-through variables. */
  readonly handlerEnv?: Readonly<Record<string, string>>;
  /**
   * With the embedded provider, point the bridge at it as a Cognito domain (COGNITO_DOMAIN_URL), as the CDK
   * stack does in production (default true); false exercises plain OIDC discovery and end-session.
   */
  readonly cognitoDomain?: boolean;
  /** How the bridge is built from its environment (default `createHandler(loadConfig(env))` with a client for the local endpoint). */
  readonly loadHandler?: (handlerEnv: Readonly<Record<string, string>>) => Promise<LambdaHandler>;
  /** The handler's logger when built by the default loadHandler (tests pass a silent one). */
  readonly logger?: Logger;
  /** Each bridge response: method, path, status (never a query string). */
  readonly onResponse?: (entry: { method: string; path: string; status: number; ms: number }) => void;
}

export interface LocalStack {
  /** The bridge, e.g. `http://localhost:3000`: /login, /callback, /logout. */
  readonly bridgeUrl: string;
  /** The TwentyThree site origin (the sandbox's or the real one). */
  readonly siteUrl: string;
  /** The page to open: the sandbox's protected page, or (with a real site) the bridge's /login, which ends on the site. */
  readonly openUrl: string;
  /** The OpenID issuer in use. */
  readonly issuer: string;
  readonly embedded: { readonly twentyThree: boolean; readonly oidc: boolean };
  /** Present when embedded. */
  readonly sandbox: TwentyThreeSandbox | undefined;
  readonly oidc: EmbeddedOidcProvider | undefined;
  readonly secrets: LocalSecretsManager;
  /** The handler's environment (ids, URLs and policy only) plus the SDK's endpoint settings. */
  readonly handlerEnv: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const settings: LocalSettings = readLocalSettings(options.env ?? process.env);
  const bridgePort = options.port ?? settings.port;
  const closers: Array<() => Promise<void>> = [];
  let closing: Promise<void> | undefined;
  const closeAll = () => {
    closing ??= (async () => {
      // Reverse order: the bridge stops taking requests before what it depends on goes away.
      for (const close of [...closers].reverse()) await close().catch(() => undefined);
    })();
    return closing;
  };

  try {
    const secrets = await startSecretsManager({ region: SDK_SETTINGS.region });
    closers.push(() => secrets.close());

    // The bridge's port comes first: the callback URL and the sandbox's login redirect need it.
    const adapter: ApiGatewayAdapter = await startApiGatewayAdapter({ port: bridgePort, onResponse: options.onResponse }).catch((error: unknown) => {
      throw portError(error, bridgePort, 'PORT, for the bridge');
    });
    closers.push(() => adapter.close());
    const bridgeUrl = adapter.url;
    const callbackUrl = `${bridgeUrl}/callback`;

    // TwentyThree: the sandbox with fresh random credentials, or the real site.
    let sandbox: TwentyThreeSandbox | undefined;
    let credentials = settings.twentyThree;
    if (credentials === undefined) {
      const generated = {
        consumerKey: `local-${randomBytes(8).toString('hex')}`,
        consumerSecret: randomBytes(24).toString('base64url'),
        accessToken: `local-${randomBytes(8).toString('hex')}`,
        accessTokenSecret: randomBytes(24).toString('base64url'),
      };
      const sandboxPort = options.sandboxPort ?? (bridgePort === 0 ? 0 : bridgePort + 1);
      sandbox = await startTwentyThreeSandbox({ port: sandboxPort, host: 'localhost', credentials: generated, bridgeUrl }).catch((error: unknown) => {
        throw portError(error, sandboxPort, 'PORT+1, for the TwentyThree sandbox');
      });
      const started = sandbox;
      closers.push(() => started.close());
      credentials = { siteOrigin: sandbox.url, ...generated };
    }
    const siteUrl = credentials.siteOrigin;

    // OpenID provider: the embedded one with a random client secret, or the real one.
    let oidc: EmbeddedOidcProvider | undefined;
    let issuer: string;
    let clientId: string;
    let clientSecret: string | undefined;
    let cognitoDomainUrl: string | undefined;
    if (settings.oidc === undefined) {
      clientId = LOCAL_CLIENT_ID;
      clientSecret = randomBytes(32).toString('base64url');
      oidc = await startOidcProvider({ clientId, clientSecret, redirectUri: callbackUrl, postLogoutRedirectUri: `${siteUrl}/` });
      const started = oidc;
      closers.push(() => started.close());
      issuer = oidc.issuer;
      cognitoDomainUrl = options.cognitoDomain === false ? undefined : oidc.issuer;
    } else {
      ({ issuer, clientId, clientSecret, cognitoDomainUrl } = settings.oidc);
    }

    // Secret values go to the local Secrets Manager only; the handler gets their ARNs, as from CDK.
    secrets.put(
      SECRET_NAMES.twentyThree,
      JSON.stringify({
        consumer_key: credentials.consumerKey,
        consumer_secret: credentials.consumerSecret,
        access_token: credentials.accessToken,
        access_token_secret: credentials.accessTokenSecret,
      }),
    );
    secrets.put(SECRET_NAMES.stateKey, JSON.stringify({ key: randomBytes(48).toString('base64url') }));
    if (clientSecret !== undefined) secrets.put(SECRET_NAMES.clientSecret, clientSecret);

    const handlerEnv: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: 'twentythree-sso-local',
      ...settings.handlerEnv,
      ...options.handlerEnv,
      TWENTYTHREE_URL: siteUrl,
      TWENTYTHREE_SECRET_ID: secrets.arnFor(SECRET_NAMES.twentyThree),
      OIDC_ISSUER: issuer,
      OIDC_CLIENT_ID: clientId,
      CALLBACK_URL: callbackUrl,
      STATE_KEY_SECRET_ID: secrets.arnFor(SECRET_NAMES.stateKey),
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      AWS_REGION: SDK_SETTINGS.region,
      AWS_ACCESS_KEY_ID: SDK_SETTINGS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: SDK_SETTINGS.secretAccessKey,
    };
    if (clientSecret !== undefined) handlerEnv.OIDC_CLIENT_SECRET_ID = secrets.arnFor(SECRET_NAMES.clientSecret);
    if (cognitoDomainUrl !== undefined) handlerEnv.COGNITO_DOMAIN_URL = cognitoDomainUrl;

    const loadHandler = options.loadHandler ?? ((env) => Promise.resolve(createBridgeHandler(env, options.logger)));
    adapter.setHandler(await loadHandler(handlerEnv));

    return {
      bridgeUrl,
      siteUrl,
      // A real site sends visitors to its configured SSO login URL (the deployed bridge), so start at this bridge instead.
      openUrl: sandbox ? `${siteUrl}/` : `${bridgeUrl}/login?return_url=%2F`,
      issuer,
      embedded: { twentyThree: sandbox !== undefined, oidc: oidc !== undefined },
      sandbox,
      oidc,
      secrets,
      handlerEnv: Object.freeze({ ...handlerEnv }),
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * The bridge as tests build it: createHandler over loadConfig(env), with an SDK client given the same endpoint,
 * region and credentials the environment names (several stacks may run in one test process, each with its own
 * endpoint, so nothing global is changed). `npm run dev` instead imports the real entry: see importLambdaEntry.
 */
export function createBridgeHandler(env: Readonly<Record<string, string>>, logger?: Logger): LambdaHandler {
  const secretsClient = new SecretsManagerClient({
    endpoint: env.AWS_ENDPOINT_URL_SECRETS_MANAGER,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' },
  });
  return createHandler(loadConfig(env), { secretsClient, logger }) as LambdaHandler;
}

/**
 * The bridge exactly as the Lambda runs it: sets the process environment, then imports lambda/handler.ts, whose
 * top level reads the configuration and creates its SDK client from the environment. Once per process.
 */
export async function importLambdaEntry(env: Readonly<Record<string, string>>): Promise<LambdaHandler> {
  // A developer's own AWS settings must not send the handler's SDK client anywhere but the local endpoint.
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS']) delete process.env[name];
  Object.assign(process.env, env);
  const entry = (await import('../lambda/handler.js')) as { handler: LambdaHandler };
  return entry.handler;
}

/** A clearer sentence for a port that is taken. */
function portError(error: unknown, port: number, what: string): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return new LocalSettingsError(`Port ${port} (${what}) is already in use: stop the program using it or set PORT to another port.`);
  if (code === 'EACCES') return new LocalSettingsError(`Port ${port} (${what}) needs more privileges than this user has: set PORT to 1024 or above.`);
  return error instanceof Error ? error : new Error(String(error));
}
