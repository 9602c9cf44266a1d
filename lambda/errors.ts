// Every error the bridge raises on purpose, under one base class. The error-page middleware is the
// one place that turns them into responses: `status`, `code`, `title` and `publicMessage` are safe
// to show a visitor; `message` and `cause` are for the logs only and never carry a token or secret.

/** Base class: use `instanceof BridgeError` to tell a deliberate failure from a bug. */
export abstract class BridgeError extends Error {
  /** HTTP status of the page the visitor sees. */
  abstract readonly status: number;
  /** Stable machine-readable code; logged and shown on the error page. */
  readonly code: string;
  /** One sentence, safe to show a visitor. */
  readonly publicMessage: string;

  constructor(code: string, publicMessage: string, logMessage?: string, options?: { cause?: unknown }) {
    super(logMessage ?? publicMessage, options);
    this.name = new.target.name;
    this.code = code;
    this.publicMessage = publicMessage;
  }

  /** Page heading. */
  get title(): string {
    return 'Sign-in failed';
  }
}

// ---------------------------------------------------------------------------------------------
// Configuration (thrown at cold start or when a secret is malformed): the operator must act.
// ---------------------------------------------------------------------------------------------

/** A required setting is missing or malformed. `message` names the variable and what to set. */
export class ConfigError extends BridgeError {
  readonly status = 500;
  constructor(message: string) {
    super('config_invalid', 'This sign-in service is not configured correctly. Please tell the site administrator.', message);
  }
  override get title(): string {
    return 'Sign-in is not available';
  }
}

/** A secret exists but lacks a field (e.g. `consumer_key`); `message` names the field, never a value. */
export class SecretInvalidError extends BridgeError {
  readonly status = 500;
  constructor(message: string) {
    super('secret_invalid', 'This sign-in service is not configured correctly. Please tell the site administrator.', message);
  }
  override get title(): string {
    return 'Sign-in is not available';
  }
}

/** Secrets Manager could not be read (throttled, unreachable, access denied). */
export class SecretUnavailableError extends BridgeError {
  readonly status = 502;
  constructor(message: string, options?: { cause?: unknown }) {
    super('secret_unavailable', 'The sign-in service could not load its settings. Please try again in a moment.', message, options);
  }
}

// ---------------------------------------------------------------------------------------------
// The visitor's request.
// ---------------------------------------------------------------------------------------------

/** Malformed or oversized input (bad query string, too many cookies). */
export class InvalidRequestError extends BridgeError {
  readonly status: 400 | 414;
  constructor(code: string, publicMessage: string, status: 400 | 414 = 400) {
    super(code, publicMessage);
    this.status = status;
  }
  override get title(): string {
    return 'Bad request';
  }
}

/**
 * The sign-in state cookie is missing, altered, expired or does not match `state`.
 * Codes: `state_missing`, `state_invalid`, `state_expired`, `state_mismatch`.
 */
export class StateError extends BridgeError {
  readonly status = 400;
  constructor(code: 'state_missing' | 'state_invalid' | 'state_expired' | 'state_mismatch', logMessage?: string) {
    super(code, 'This sign-in attempt is no longer valid (it expired, was already used, or was started in another browser). Please start again.', logMessage);
  }
  override get title(): string {
    return 'Please sign in again';
  }
}

// ---------------------------------------------------------------------------------------------
// The identity provider (Cognito).
// ---------------------------------------------------------------------------------------------

/** The IdP redirected back with `error=…` (e.g. the person cancelled). */
export class IdentityProviderError extends BridgeError {
  readonly status: 400 | 403 | 502;
  constructor(idpError: string) {
    const known = /^[a-z_]{1,64}$/.test(idpError) ? idpError : 'unknown';
    const status = known === 'access_denied' ? 403 : known === 'server_error' || known === 'temporarily_unavailable' ? 502 : 400;
    super(
      `idp_${known}`,
      status === 403
        ? 'Sign-in was cancelled or refused by the identity provider.'
        : status === 502
          ? 'The identity provider is not available right now. Please try again in a moment.'
          : 'The identity provider could not complete the sign-in. Please start again.',
      `identity provider returned error=${known}`,
    );
    this.status = status;
  }
}

/** The provider could not be reached (discovery or token endpoint down, timed out). */
export class IdentityProviderUnavailableError extends BridgeError {
  readonly status = 502;
  constructor(logMessage: string, options?: { cause?: unknown }) {
    super('idp_unavailable', 'The sign-in service is not reachable right now. Please try again in a moment.', logMessage, options);
  }
}

/** The authorization code could not be exchanged (`invalid_grant`: reused or foreign code → 400; else 502). */
export class TokenExchangeError extends BridgeError {
  readonly status: 400 | 502;
  constructor(status: 400 | 502, logMessage: string, options?: { cause?: unknown }) {
    super(
      status === 400 ? 'code_invalid' : 'token_exchange_failed',
      status === 400
        ? 'This sign-in link was already used or has expired. Please start again.'
        : 'The identity provider did not answer as expected. Please try again in a moment.',
      logMessage,
      options,
    );
    this.status = status;
  }
}

/** The ID token failed verification (signature, iss, aud, exp, nbf, nonce, token_use). */
export class IdTokenError extends BridgeError {
  readonly status = 502;
  constructor(logMessage: string, options?: { cause?: unknown }) {
    super('id_token_invalid', 'Your sign-in could not be verified. Please start again.', logMessage, options);
  }
}

/** Signed in, but the access policy (groups, e-mail domains) does not admit this person. */
export class AccessDeniedError extends BridgeError {
  readonly status = 403;
  constructor(logMessage: string) {
    super('access_denied', 'You are signed in, but your account is not allowed to watch this site.', logMessage);
  }
  override get title(): string {
    return 'Access denied';
  }
}

// ---------------------------------------------------------------------------------------------
// TwentyThree.
// ---------------------------------------------------------------------------------------------

/**
 * get-token did not answer `status="ok"` with a non-empty token (errors arrive as HTTP 200).
 * `code` is `twentythree_<their code>` (e.g. `twentythree_invalid_signature`) or `twentythree_bad_response`.
 */
export class TwentyThreeError extends BridgeError {
  readonly status = 502;
  /** TwentyThree's own error code, when it sent one. */
  readonly apiCode: string | undefined;
  constructor(apiCode: string | undefined, logMessage: string, options?: { cause?: unknown }) {
    const safe = apiCode && /^[a-z_]{1,64}$/.test(apiCode) ? apiCode : undefined;
    super(`twentythree_${safe ?? 'bad_response'}`, 'The video site did not accept the sign-in. Please try again in a moment.', logMessage, options);
    this.apiCode = safe;
  }
}

/** get-token did not answer within the configured timeout. */
export class TwentyThreeTimeoutError extends BridgeError {
  readonly status = 504;
  constructor(timeoutMs: number) {
    super('twentythree_timeout', 'The video site did not answer in time. Please try again in a moment.', `get-token took longer than ${timeoutMs} ms`);
  }
}

// ---------------------------------------------------------------------------------------------
// Routing.
// ---------------------------------------------------------------------------------------------

/** Any path other than /login, /callback, /logout (API Gateway normally answers these itself). */
export class NotFoundError extends BridgeError {
  readonly status = 404;
  constructor() {
    super('not_found', 'There is nothing here. Open the video site instead.');
  }
  override get title(): string {
    return 'Not found';
  }
}

/** The request ran out of the function's time budget (Middy's early timeout, just before Lambda's). */
export class RequestTimeoutError extends BridgeError {
  readonly status = 504;
  constructor() {
    super('request_timeout', 'The sign-in took too long. Please try again in a moment.', 'the function was about to time out');
  }
}
