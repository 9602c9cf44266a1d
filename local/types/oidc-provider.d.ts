// The small part of oidc-provider 9's API that local/oidc-provider.ts uses (the package ships no types).
declare module 'oidc-provider' {
  import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

  export interface OidcClientEntity {
    readonly clientId: string;
    readonly clientName?: string;
    grantTypeAllowed(grantType: string): boolean;
  }

  export interface OidcToken {
    readonly kind: string;
    readonly jti: string;
    readonly accountId?: string;
    readonly clientId?: string;
    readonly grantId?: string;
  }

  export interface OidcSession {
    readonly accountId?: string;
    grantIdFor(clientId: string): string | undefined;
  }

  /** `ctx.oidc` of the Koa context oidc-provider passes to its hooks. */
  export interface OidcContextState {
    readonly route?: string;
    readonly client?: OidcClientEntity;
    readonly session: OidcSession;
    readonly params?: Record<string, unknown>;
    readonly result?: { consent?: { grantId?: string } };
    readonly entities: Record<string, unknown> & { RefreshToken?: OidcToken; Client?: OidcClientEntity };
    readonly provider: Provider;
  }

  export interface KoaContext {
    oidc: OidcContextState;
    body: unknown;
    status: number;
    type: string;
    set(name: string, value: string): void;
  }

  export interface Account {
    accountId: string;
    claims(use: 'id_token' | 'userinfo', scope: string, claims: unknown, rejected: string[]): Promise<Record<string, unknown>> | Record<string, unknown>;
  }

  export interface Grant {
    readonly jti: string;
    readonly accountId: string;
    readonly clientId: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(indicator: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface GrantConstructor {
    new (properties: { accountId: string | undefined; clientId: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  }

  export interface Interaction {
    readonly uid: string;
    readonly prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    readonly params: Record<string, unknown> & { client_id?: string; login_hint?: string };
    readonly grantId?: string;
    readonly session?: { accountId?: string };
  }

  export type InteractionResult =
    | { login: { accountId: string; remember?: boolean }; consent?: { grantId: string } }
    | { consent: { grantId: string } }
    | { error: string; error_description?: string };

  export class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    readonly Grant: GrantConstructor;
    readonly Client: { find(id: string): Promise<OidcClientEntity | undefined> };
    callback(): RequestListener;
    on(event: string, listener: (...args: never[]) => void): this;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: InteractionResult, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  }

  export default Provider;
}

declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  /** A fresh in-memory store per provider (the package's own adapter, without its "development only" warning). */
  export function createMemoryAdapter(clockTolerance?: number): (model: string) => unknown;
}
