// Prints how fast and how lean the bridge is: warm /login and sign-in latency through the real handler,
// how often it goes back to Secrets Manager and the provider (caching), the cold-start cost, and the size
// of the production bundle. A measurement, not a test: it asserts nothing and never runs under jest.
//
//   npx tsx scripts/bench.ts [--sign-ins=500] [--cold-runs=5]
//
// Everything runs on loopback with the servers the handler tests use (test/lambda/fixtures/harness.ts):
// the scripted OpenID provider, the TwentyThree sandbox and the local Secrets Manager endpoint. Those
// servers share this process (and its event loop) with the handler, so latencies include their work too.
import { spawn } from 'node:child_process';
import { subscribe } from 'node:diagnostics_channel';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { Logger } from '@aws-lambda-powertools/logger';
import { createHandler, type BridgeHandler } from '../lambda/app.js';
import { loadConfig } from '../lambda/config.js';
import { Browser, CALLBACK_URL, getEvent, lambdaContext, startHarness, type Harness } from '../test/lambda/fixtures/harness.js';

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The same banner lib/builders/function.ts gives NodejsFunction (kept literal: importing lib/ would load aws-cdk-lib). */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __bridgeCreateRequire } from 'node:module'; const require = __bridgeCreateRequire(import.meta.url);";

function option(name: string, fallback: number, max: number): number {
  const raw = process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`--${name} must be a whole number from 1 to ${max}`);
  return value;
}

const SIGN_INS = option('sign-ins', 500, 5000);
const WARM_UP = Math.min(25, Math.ceil(SIGN_INS / 10));
const COLD_RUNS = option('cold-runs', 5, 20);

// ---------------------------------------------------------------------------------------------
// Counting outgoing HTTP: Node's fetch (undici) announces every request on a diagnostics channel,
// so provider calls are counted where they leave the process, with nothing stubbed or wrapped.
// ---------------------------------------------------------------------------------------------
const outgoing = new Map<string, number>();
subscribe('undici:request:create', (message) => {
  const { request } = message as { request: { origin: string; path: string } };
  const key = `${request.origin}${request.path.split('?')[0]}`;
  outgoing.set(key, (outgoing.get(key) ?? 0) + 1);
});
const fetched = (url: string) => outgoing.get(url) ?? 0;

// ---------------------------------------------------------------------------------------------
// Small helpers.
// ---------------------------------------------------------------------------------------------
function percentile(sorted: readonly number[], p: number): number {
  // Nearest rank: the smallest value with at least p % of the samples at or below it.
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function summary(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '-');
const kib = (bytes: number) => `${bytes.toLocaleString('en-US')} B (${(bytes / 1024).toFixed(1)} KiB)`;

function table(title: string, header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

function check(condition: boolean, what: string): void {
  // The bench must measure working sign-ins; a broken flow would make fast, meaningless numbers.
  if (!condition) throw new Error(`bench aborted: ${what}`);
}

/** One sign-in as a browser does it: /login, the provider's answer, /callback. Returns both durations. */
async function signInOnce(browser: Browser, harness: Harness): Promise<{ login: number; callback: number }> {
  const t0 = performance.now();
  const login = await browser.get('/login?return_url=%2Fv%2F123');
  const t1 = performance.now();
  check(login.statusCode === 302, `/login answered ${login.statusCode}`);
  const authorize = new URL(login.headers.Location ?? '');
  const code = harness.provider.issueCode({
    nonce: authorize.searchParams.get('nonce') ?? '',
    codeChallenge: authorize.searchParams.get('code_challenge') ?? '',
  });
  const query = `code=${encodeURIComponent(code)}&state=${encodeURIComponent(authorize.searchParams.get('state') ?? '')}`;
  const t2 = performance.now();
  const callback = await browser.get(`/callback?${query}`);
  const t3 = performance.now();
  check(callback.statusCode === 302 && (callback.headers.Location ?? '').includes('/api/session/redeem-token?session_token='), `/callback answered ${callback.statusCode}`);
  return { login: t1 - t0, callback: t3 - t2 };
}

// ---------------------------------------------------------------------------------------------
// 1. Warm latency and caching, on one fresh handler ("container").
// ---------------------------------------------------------------------------------------------
async function warmAndCaching(harness: Harness) {
  const handler = harness.withEnv({});
  const browser = new Browser(handler);
  const issuer = harness.provider.issuer;
  const counters = () => ({
    secrets: harness.secrets.getSecretValueCalls,
    discovery: fetched(`${issuer}/.well-known/openid-configuration`),
    jwks: fetched(`${issuer}/jwks`),
    token: fetched(`${issuer}/token`),
    revoke: fetched(`${issuer}/revoke`),
    getToken: harness.sandbox.getTokenCalls,
  });
  const start = counters();
  const loginTimes: number[] = [];
  const callbackTimes: number[] = [];
  const signInTimes: number[] = [];
  let afterFirst = start;
  const wall0 = performance.now();
  for (let i = 0; i < WARM_UP + SIGN_INS; i++) {
    const { login, callback } = await signInOnce(browser, harness);
    if (i === 0) afterFirst = counters();
    if (i >= WARM_UP) {
      loginTimes.push(login);
      callbackTimes.push(callback);
      signInTimes.push(login + callback);
    }
    // The harness keeps every log line in memory; the bench has no use for them.
    harness.logLines.length = 0;
  }
  const wall = performance.now() - wall0;
  const end = counters();
  return { loginTimes, callbackTimes, signInTimes, start, afterFirst, end, total: WARM_UP + SIGN_INS, wall };
}

// ---------------------------------------------------------------------------------------------
// 2. Cold start in this process: a fresh handler (new config, caches, discovery) to its first /login.
//    Modules are already loaded here; the bundle run below includes loading them.
// ---------------------------------------------------------------------------------------------
async function coldInProcess(harness: Harness): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const t0 = performance.now();
    const handler: BridgeHandler = harness.withEnv({});
    const result = await handler(getEvent('/login'), lambdaContext());
    times.push(performance.now() - t0);
    check(result.statusCode === 302, `cold /login answered ${result.statusCode}`);
  }
  return times;
}

/** The environment the function gets (lib/builders/environment.ts), pointed at the loopback servers. */
function functionEnvironment(harness: Harness): Record<string, string> {
  return {
    TWENTYTHREE_URL: harness.sandbox.url,
    TWENTYTHREE_SECRET_ID: 'twentythree-credentials',
    OIDC_ISSUER: harness.provider.issuer,
    OIDC_CLIENT_ID: harness.provider.clientId,
    OIDC_CLIENT_SECRET_ID: 'oidc-client-secret',
    CALLBACK_URL,
    STATE_KEY_SECRET_ID: 'state-key',
    POWERTOOLS_SERVICE_NAME: 'bench',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    // The handler's own SDK client finds the local endpoint and dummy credentials here, as on Lambda.
    AWS_ENDPOINT_URL_SECRETS_MANAGER: harness.secrets.url,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/**
 * Like coldInProcess, but each handler builds its own Secrets Manager client from the environment, as
 * lambda/handler.ts does: this adds the SDK's first-request set-up (endpoint, credentials, connection).
 */
async function coldInProcessOwnSdkClient(harness: Harness): Promise<number[]> {
  const env = functionEnvironment(harness);
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const logger = new Logger({ serviceName: 'bench', logLevel: 'SILENT' });
  const times: number[] = [];
  try {
    for (let i = 0; i < COLD_RUNS; i++) {
      const t0 = performance.now();
      const handler = createHandler(loadConfig(env), { logger });
      const result = await handler(getEvent('/login'), lambdaContext());
      times.push(performance.now() - t0);
      check(result.statusCode === 302, `cold /login (own SDK client) answered ${result.statusCode}`);
    }
  } finally {
    for (const key of Object.keys(env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
  return times;
}

// ---------------------------------------------------------------------------------------------
// 3. The production bundle, built the way NodejsFunction builds it (lib/builders/function.ts):
//    esbuild --bundle lambda/handler.ts --platform=node --target=node24 --format=esm --minify
//    --sourcemap --sources-content=false --main-fields=module,main --banner:js=… (no externals).
// ---------------------------------------------------------------------------------------------
async function buildBundle(outDir: string) {
  const outfile = join(outDir, 'index.mjs');
  const t0 = performance.now();
  await build({
    entryPoints: [join(PROJECT_ROOT, 'lambda', 'handler.ts')],
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    outfile,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    logLevel: 'warning',
  });
  const buildMs = performance.now() - t0;
  const code = await readFile(outfile);
  const map = await stat(`${outfile}.map`);
  return { outfile, buildMs, raw: code.length, gzip: gzipSync(code, { level: 9 }).length, map: map.size };
}

/** A fresh Node process imports the bundle (as Lambda's runtime does) and answers one /login. */
const DRIVER = `
const t0 = performance.now();
const { handler } = await import(process.argv[2]);
const t1 = performance.now();
const event = {
  version: '2.0', routeKey: 'GET /login', rawPath: '/login', rawQueryString: '', headers: { host: 'sso.example.com' },
  requestContext: { requestId: 'bench-cold', http: { method: 'GET', path: '/login', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
    routeKey: 'GET /login', stage: '$default', accountId: '0', apiId: 'api', domainName: 'sso.example.com', domainPrefix: 'sso', time: '', timeEpoch: 0 },
  isBase64Encoded: false,
};
const context = { functionName: 'bridge', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:bridge',
  memoryLimitInMB: '256', awsRequestId: 'cold', logGroupName: 'g', logStreamName: 's', getRemainingTimeInMillis: () => 10000 };
const result = await handler(event, context);
const t2 = performance.now();
console.log('BENCH ' + JSON.stringify({ boot: t0, importMs: t1 - t0, firstLoginMs: t2 - t1, status: result.statusCode, node: process.version }));
`;

interface ColdRun {
  boot: number;
  importMs: number;
  firstLoginMs: number;
  status: number;
  node: string;
  wallMs: number;
}

async function coldBundle(harness: Harness, outfile: string, driver: string, inLambda: boolean): Promise<ColdRun[]> {
  // Only what the function would have: no HOME, no ~/.aws, nothing of this shell's AWS settings.
  // AWS_LAMBDA_FUNCTION_NAME makes the entry warm up during import, as it does in Lambda's init phase.
  const env = { PATH: process.env.PATH ?? '', ...functionEnvironment(harness), ...(inLambda ? { AWS_LAMBDA_FUNCTION_NAME: 'bridge' } : {}) };
  const runs: ColdRun[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const t0 = performance.now();
    const output = await new Promise<string>((resolve, reject) => {
      // process.execPath is the Node 24 that `npx tsx` runs on: the bundle runs bare, without tsx.
      const child = spawn(process.execPath, [driver, pathToFileURL(outfile).href], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      const timer = setTimeout(() => child.kill(), 30_000);
      child.on('close', (exitCode) => {
        clearTimeout(timer);
        if (exitCode === 0) resolve(out);
        else reject(new Error(`bundle run exited with ${exitCode}: ${err.slice(0, 500)}`));
      });
    });
    const line = output.split('\n').find((l) => l.startsWith('BENCH '));
    check(line !== undefined, 'the bundle run printed no result');
    const run = JSON.parse((line ?? '').slice(6)) as Omit<ColdRun, 'wallMs'>;
    check(run.status === 302, `bundled cold /login answered ${run.status}`);
    runs.push({ ...run, wallMs: performance.now() - t0 });
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------
// Main.
// ---------------------------------------------------------------------------------------------
async function main(): Promise<void> {
  console.log(`TwentyThree SSO bridge bench — Node ${process.version}, ${SIGN_INS} sign-ins (+${WARM_UP} warm-up), ${COLD_RUNS} cold runs`);
  const harness = await startHarness();
  const outDir = await mkdtemp(join(tmpdir(), 'bridge-bench-'));
  try {
    const warm = await warmAndCaching(harness);
    const coldHere = await coldInProcess(harness);
    const coldOwnClient = await coldInProcessOwnSdkClient(harness);
    const bundle = await buildBundle(outDir);
    const driver = join(outDir, 'driver.mjs');
    await writeFile(driver, DRIVER);
    const coldBundled = await coldBundle(harness, bundle.outfile, driver, false);
    const coldWarmedUp = await coldBundle(harness, bundle.outfile, driver, true);

    const rows = [
      ['GET /login (warm)', summary(warm.loginTimes)],
      ['GET /callback (warm)', summary(warm.callbackTimes)],
      ['sign-in /login → /callback (warm)', summary(warm.signInTimes)],
    ] as const;
    table(
      `Warm latency through the real handler, ms (${SIGN_INS} sign-ins after ${WARM_UP} warm-up; ${ms(warm.wall / 1000)} s wall)`,
      ['', 'n', 'p50', 'p95', 'p99', 'max'],
      rows.map(([name, s]) => [name, String(s.n), ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max)]),
    );

    const per100 = (key: keyof typeof warm.end) => (((warm.end[key] - warm.start[key]) * 100) / warm.total).toFixed(2);
    const total = (key: keyof typeof warm.end) => String(warm.end[key] - warm.start[key]);
    const first = (key: keyof typeof warm.end) => String(warm.afterFirst[key] - warm.start[key]);
    const later = (key: keyof typeof warm.end) => String(warm.end[key] - warm.afterFirst[key]);
    table(
      `Outgoing calls of one fresh handler over ${warm.total} sign-ins (SECRETS_MAX_AGE_SECONDS=300, JWKS kept 300 s by openid-client)`,
      ['', 'first sign-in', 'the other ' + String(warm.total - 1), 'total', 'per 100 sign-ins'],
      [
        ['Secrets Manager GetSecretValue', 'secrets'],
        ['provider discovery', 'discovery'],
        ['provider JWKS', 'jwks'],
        ['provider token endpoint', 'token'],
        ['provider revocation', 'revoke'],
        ['TwentyThree get-token', 'getToken'],
      ].map(([name, key]) => {
        const k = key as keyof typeof warm.end;
        return [name ?? '', first(k), later(k), total(k), per100(k)];
      }),
    );

    const here = summary(coldHere);
    const ownClient = summary(coldOwnClient);
    const imports = summary(coldBundled.map((r) => r.importMs));
    const firstLogin = summary(coldBundled.map((r) => r.firstLoginMs));
    const both = summary(coldBundled.map((r) => r.importMs + r.firstLoginMs));
    const boot = summary(coldBundled.map((r) => r.boot));
    const wall = summary(coldBundled.map((r) => r.wallMs));
    const warmedImport = summary(coldWarmedUp.map((r) => r.importMs));
    const warmedLogin = summary(coldWarmedUp.map((r) => r.firstLoginMs));
    table(
      `Cold start, ms (${COLD_RUNS} runs each; median and max)`,
      ['', 'p50', 'max'],
      [
        ['fresh handler in this process (shared, warm SDK client): createHandler → first /login', ms(here.p50), ms(here.max)],
        ['fresh handler in this process with its own SDK client (as handler.ts): → first /login', ms(ownClient.p50), ms(ownClient.max)],
        [`bundle in a new Node ${coldBundled[0]?.node ?? ''} process: import index.mjs`, ms(imports.p50), ms(imports.max)],
        ['  … then its first /login answer (secrets, discovery, cookie)', ms(firstLogin.p50), ms(firstLogin.max)],
        ['  … import + first /login', ms(both.p50), ms(both.max)],
        ['  (Node start-up before the import)', ms(boot.p50), ms(boot.max)],
        ['  (whole process, spawn to exit)', ms(wall.p50), ms(wall.max)],
        ['as in Lambda (AWS_LAMBDA_FUNCTION_NAME set): import with warm-up (init phase)', ms(warmedImport.p50), ms(warmedImport.max)],
        ['  … then its first /login answer', ms(warmedLogin.p50), ms(warmedLogin.max)],
      ],
    );

    table(
      `Production bundle (esbuild, as NodejsFunction builds it; built in ${ms(bundle.buildMs)} ms)`,
      ['', 'size'],
      [
        ['index.mjs, raw', kib(bundle.raw)],
        ['index.mjs, gzip -9', kib(bundle.gzip)],
        ['index.mjs.map (deployed alongside, not loaded)', kib(bundle.map)],
      ],
    );
  } finally {
    await rm(outDir, { recursive: true, force: true });
    await harness.close();
  }
}

await main();
