// `npm run dev`: the whole sign-in flow on this machine, no AWS account. Starts the local stack with the
// real Lambda entry (lambda/handler.ts), prints what to open and how to sign in, and stops cleanly on
// Ctrl-C or SIGTERM. Environment: see local/settings.ts and the README's "Local mode" section.
import { ConfigError } from '../lambda/errors.js';
import { DEMO_PASSWORD, DEMO_USERS } from './demo-users.js';
import { LocalSettingsError } from './settings.js';
import { importLambdaEntry, startLocalStack, type LocalStack } from './stack.js';

function banner(stack: LocalStack): string {
  const lines = [
    '',
    'TwentyThree SSO bridge: local mode',
    '',
    `  Open      ${stack.openUrl}`,
    stack.embedded.twentyThree
      ? '            a protected page of the TwentyThree sandbox: it sends you through the bridge to sign in'
      : `            the bridge's /login: after sign-in it sends you to ${stack.siteUrl}/ signed in`,
    '',
    `  Bridge           ${stack.bridgeUrl}  /login /callback /logout: lambda/handler.ts behind a local API Gateway (HTTP API, payload 2.0)`,
    `  TwentyThree      ${stack.siteUrl}  ${stack.embedded.twentyThree ? 'embedded sandbox' : 'REAL site (TWENTYTHREE_URL)'}`,
    `  OpenID provider  ${stack.issuer}  ${stack.embedded.oidc ? 'embedded, stands in for Cognito' : 'REAL provider (OIDC_ISSUER)'}`,
    `  Secrets Manager  ${stack.secrets.url}  local endpoint, read by the handler's AWS SDK client`,
    '',
  ];
  if (stack.embedded.oidc) {
    const width = Math.max(...DEMO_USERS.map((u) => u.username.length));
    lines.push(`  Demo sign-ins (password for all: ${DEMO_PASSWORD})`);
    for (const user of DEMO_USERS) lines.push(`    ${user.username.padEnd(width)}  ${user.description}`);
  } else {
    lines.push(
      '  Sign in with an account of your provider. Its app client must allow',
      `    callback URL  ${stack.handlerEnv.CALLBACK_URL}`,
      `    sign-out URL  ${stack.siteUrl}/`,
    );
  }
  lines.push('', '  Ctrl-C stops everything.', '');
  return lines.join('\n');
}

async function main(): Promise<void> {
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      loadHandler: importLambdaEntry,
      // Path only: query strings carry codes, states and tokens.
      onResponse: ({ method, path, status, ms }) => console.log(`[bridge] ${method} ${path} -> ${status} (${ms} ms)`),
    });
  } catch (error) {
    if (error instanceof LocalSettingsError || error instanceof ConfigError) {
      console.error(`Local mode did not start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  console.log(banner(stack));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(0); // a second Ctrl-C: do not wait for the first to finish
    stopping = true;
    console.log(`\n${signal}: stopping local mode…`);
    stack
      .close()
      .then(() => process.exit(0))
      .catch(() => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('Local mode failed:', error instanceof Error ? `${error.name}: ${error.message}` : error);
  process.exit(1);
});
