// `npm run dev` as a person runs it: a child process (tsx local/dev.ts, the real Lambda entry inside, its SDK
// client configured only by the environment) that prints where to go, signs people in, and stops cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HttpSession, pageText } from '../support/http-session.js';
import { freePortPair } from '../support/ports.js';
import { signIn } from '../support/sign-in.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));

interface Dev {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** Starts local/dev.ts with only the given local-mode variables (none of the caller's TWENTYTHREE_* / OIDC_* / PORT). */
function startDev(env: Record<string, string>): Dev {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(TWENTYTHREE_|OIDC_|PORT$|COGNITO_|AWS_)/.test(name)));
  const child = spawn(process.execPath, [TSX, 'local/dev.ts'], { cwd: ROOT, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForOutput(dev: Dev, text: string, timeoutMs = 25_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!dev.output().includes(text)) {
    if (Date.now() > deadline) throw new Error(`dev did not print "${text}" in time; output so far:\n${dev.output()}`);
    if (dev.child.exitCode !== null) throw new Error(`dev exited with ${dev.child.exitCode}:\n${dev.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('Script: local/dev.ts (npm run dev)', () => {
  it('prints the page to open and the demo sign-ins, signs alice in through the real Lambda entry, and exits 0 on SIGTERM', async () => {
    const port = await freePortPair();
    const dev = startDev({ PORT: String(port) });
    const seen = new Set<string>();
    try {
      await waitForOutput(dev, 'Ctrl-C stops everything.');
      const browser = new HttpSession({
        onHop: (hop) => {
          for (const name of ['code', 'state', 'session_token']) {
            const value = new URL(hop.location ?? hop.url).searchParams.get(name);
            if (value) seen.add(value);
          }
        },
      });

      const journey = await signIn(browser, `http://localhost:${port + 1}/v/dev-check`, 'alice');
      dev.child.kill('SIGTERM');
      const code = await dev.exited;

      expect(dev.output()).toContain(`Open      http://localhost:${port + 1}/`);
      expect(dev.output()).toMatch(new RegExp(`Bridge +http://localhost:${port} `));
      expect(dev.output()).toMatch(/alice +verified e-mail, name "Alice Example"/);
      expect(dev.output()).toContain('password for all: demo-password');
      expect(journey.afterSubmit.final.url).toBe(`http://localhost:${port + 1}/v/dev-check`);
      expect(pageText(journey.afterSubmit.final.body)).toContain('Signed in as Alice Example (alice@example.com)');
      expect(dev.output()).toMatch(/\[bridge\] GET \/callback -> 302/);
      expect(seen.size).toBeGreaterThan(2);
      expect([...seen].filter((value) => dev.output().includes(value))).toEqual([]);
      expect(code).toBe(0);
    } finally {
      if (dev.child.exitCode === null) dev.child.kill('SIGKILL');
    }
  });

  it.each([
    [{ PORT: 'abc' }, 'Local mode did not start: PORT must be a whole number from 1 to 65535, got "abc".'],
    [
      { TWENTYTHREE_URL: 'https://videos.example.com', TWENTYTHREE_CONSUMER_KEY: 'ck' },
      'Local mode did not start: To use a real TwentyThree site, set all five of TWENTYTHREE_URL, TWENTYTHREE_CONSUMER_KEY, TWENTYTHREE_CONSUMER_SECRET, TWENTYTHREE_ACCESS_TOKEN, TWENTYTHREE_ACCESS_TOKEN_SECRET (or none, for the sandbox); missing: TWENTYTHREE_CONSUMER_SECRET, TWENTYTHREE_ACCESS_TOKEN, TWENTYTHREE_ACCESS_TOKEN_SECRET.',
    ],
  ])('exits 1 with one sentence for %j', async (env, sentence) => {
    const dev = startDev(env);

    const code = await dev.exited;

    expect(code).toBe(1);
    expect(dev.output().trim()).toBe(sentence);
  });
});
