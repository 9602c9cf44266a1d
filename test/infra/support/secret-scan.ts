// Scans a synthesized CloudFormation template for any way a secret value could sit in it (or be put
// into an environment variable or output at deploy time). Returns one line per finding; [] is clean.

/** Every variable lambda/config.ts (and the runtime) reads: nothing else may appear in a function's environment. */
export const ENVIRONMENT_CONTRACT = new Set([
  'TWENTYTHREE_URL',
  'TWENTYTHREE_SECRET_ID',
  'TWENTYTHREE_TIMEOUT_MS',
  'OIDC_ISSUER',
  'OIDC_CLIENT_ID',
  'OIDC_CLIENT_SECRET_ID',
  'COGNITO_DOMAIN_URL',
  'IDENTITY_PROVIDER',
  'CALLBACK_URL',
  'STATE_KEY_SECRET_ID',
  'STATE_MAX_AGE_SECONDS',
  'SECRETS_MAX_AGE_SECONDS',
  'RETURN_URL_HOSTS',
  'ALLOWED_GROUPS',
  'ALLOWED_EMAIL_DOMAINS',
  'SEND_EMAIL',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_TRACER_CAPTURE_RESPONSE',
  'POWERTOOLS_TRACER_CAPTURE_ERROR',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
  'NODE_OPTIONS',
]);

/** JSON keys that hold secret material in the bridge's secrets (and in OAuth/OIDC generally). */
const SECRET_KEYS = ['client_secret', 'consumer_key', 'consumer_secret', 'access_token', 'access_token_secret', 'refresh_token', 'id_token', 'key'];
/** Values that are clearly placeholders, not secrets. */
const PLACEHOLDERS = new Set(['', '...', '…']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Template {
  Resources?: Record<string, { Type: string; Properties?: Record<string, Json> }>;
  Outputs?: Record<string, { Value: Json }>;
}

/** Calls `visit` for every value in the tree, with a readable path. */
function walk(value: Json | undefined, path: string, visit: (value: Json, path: string) => void): void {
  if (value === undefined) return;
  visit(value, path);
  if (Array.isArray(value)) value.forEach((item, i) => walk(item, `${path}[${i}]`, visit));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`, visit);
}

function isIntrinsic(value: Json | undefined): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && /^(Ref|Fn::)/.test(Object.keys(value)[0]!);
}

/** The attribute name of a `Fn::GetAtt` that reads a secret value (like `UserPoolClient.ClientSecret`), else undefined. */
function secretAttribute(value: Json): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !('Fn::GetAtt' in value)) return undefined;
  const getAtt = value['Fn::GetAtt'];
  const attribute = Array.isArray(getAtt) ? getAtt[1] : typeof getAtt === 'string' ? getAtt.split('.').slice(1).join('.') : undefined;
  return typeof attribute === 'string' && /secret/i.test(attribute) ? attribute : undefined;
}

/** `template`: the synthesized template as JSON (`Template.toJSON()` or the .template.json file). */
export function findSecretLeaks(input: object): string[] {
  const template = input as Template;
  const leaks: string[] = [];
  const resources = template.Resources ?? {};
  const secretIds = new Set(Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret').map(([id]) => id));

  // 1. Dynamic references make CloudFormation paste a secret value into a property at deploy time.
  walk(template as unknown as Json, '$', (value, path) => {
    if (typeof value === 'string' && /\{\{resolve:(secretsmanager|ssm-secure):/.test(value)) leaks.push(`${path}: dynamic reference to a secret value`);
  });

  // 2. A secret-valued attribute (e.g. the app client's ClientSecret) may only feed a Secret's SecretString.
  const check = (value: Json, path: string, allowed: boolean): void => {
    const attribute = secretAttribute(value);
    if (attribute !== undefined && !allowed) leaks.push(`${path}: uses secret attribute ${attribute}`);
  };
  for (const [id, resource] of Object.entries(resources)) {
    const secretString = `Resources.${id}.Properties.SecretString`;
    walk(resource.Properties, `Resources.${id}.Properties`, (value, path) =>
      check(value, path, resource.Type === 'AWS::SecretsManager::Secret' && path === secretString),
    );
  }
  for (const [id, output] of Object.entries(template.Outputs ?? {})) walk(output.Value, `Outputs.${id}.Value`, (value, path) => check(value, path, false));

  // 3. Secrets: no literal SecretString; a generation template may only carry empty placeholders.
  for (const id of secretIds) {
    const props = resources[id]!.Properties ?? {};
    if (props.SecretString !== undefined && !isIntrinsic(props.SecretString)) leaks.push(`Resources.${id}: literal SecretString`);
    const generate = props.GenerateSecretString as { SecretStringTemplate?: string } | undefined;
    if (generate?.SecretStringTemplate !== undefined) {
      const values = Object.values(JSON.parse(generate.SecretStringTemplate) as Record<string, unknown>);
      if (values.some((v) => v !== '')) leaks.push(`Resources.${id}: SecretStringTemplate carries a value`);
    }
  }

  // 4. Function environments: only the documented contract, and *_SECRET_ID holds an id, never a value.
  for (const [id, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const variables = ((resource.Properties?.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables ?? {}) as Record<string, Json>;
    for (const [name, value] of Object.entries(variables)) {
      if (!ENVIRONMENT_CONTRACT.has(name)) leaks.push(`Resources.${id}: environment variable ${name} is not part of lambda/config.ts's contract`);
      if (name.endsWith('_SECRET_ID')) {
        const ref = (value as { Ref?: string } | null)?.Ref;
        const isOwnSecret = ref !== undefined && secretIds.has(ref);
        const isImportedId = typeof value === 'string' && (/^arn:aws[a-z-]*:secretsmanager:/.test(value) || /^[\w/+=.@-]{1,512}$/.test(value));
        if (!isOwnSecret && !isImportedId) leaks.push(`Resources.${id}: ${name} is not a secret id (${JSON.stringify(value).slice(0, 80)})`);
      }
    }
  }

  // 5. Anywhere: a JSON fragment like {"client_secret": "<value>"} with a real value.
  const pattern = new RegExp(`"(${SECRET_KEYS.join('|')})"\\s*:\\s*"([^"]*)"`, 'g');
  walk(template as unknown as Json, '$', (value, path) => {
    if (typeof value !== 'string') return;
    for (const match of value.matchAll(pattern)) {
      if (!PLACEHOLDERS.has(match[2]!)) leaks.push(`${path}: "${match[1]}" has a value`);
    }
  });
  return leaks;
}
