// bin/app.ts run the way the CDK CLI runs it (context in CDK_CONTEXT_JSON, output in CDK_OUTDIR):
// one clear sentence and exit code 1 on bad context, a synthesized and cdk-nag-checked stack otherwise.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cdkJsonContext } from './support/app.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  readonly code: number;
  readonly stderr: string;
  readonly outdir: string;
}

function runApp(context: Record<string, unknown>): Promise<Run> {
  const outdir = mkdtempSync(join(tmpdir(), 'bridge-app-'));
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'bin/app.ts'],
      {
        cwd: ROOT,
        timeout: 60_000,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          CDK_OUTDIR: outdir,
          // The CLI merges cdk.json's context with -c values; skip bundling and CloudFormation's validation for speed.
          CDK_CONTEXT_JSON: JSON.stringify({ ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context }),
          CDK_VALIDATION: 'false',
        },
      },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr, outdir }),
    );
  });
}

describe('App: bin/app.ts', () => {
  let outdirs: string[] = [];
  afterAll(() => {
    for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
    outdirs = [];
  });

  it('stops with one sentence and exit code 1 when twentyThreeUrl is missing', async () => {
    const run = await runApp({});
    outdirs.push(run.outdir);
    expect(run).toMatchObject({ code: 1, stderr: 'Set the TwentyThree site: npx cdk deploy -c twentyThreeUrl=https://videos.example.com\n' });
  });

  it('synthesizes the stack offline and runs cdk-nag on it', async () => {
    const run = await runApp({ twentyThreeUrl: 'https://videos.example.com' });
    outdirs.push(run.outdir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(existsSync(join(run.outdir, 'TwentyThreeSso.template.json'))).toBe(true);
    // With CloudFormation's own validation off, a validation report can only come from the cdk-nag plugin.
    const report = JSON.parse(readFileSync(join(run.outdir, 'validation-report.json'), 'utf8')) as { pluginReports: unknown[] };
    expect(report.pluginReports).toEqual([]);
  });
});
