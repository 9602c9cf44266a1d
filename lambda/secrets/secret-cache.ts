// Per-container cache of Secrets Manager string secrets: a max age, one in-flight GetSecretValue shared by
// concurrent callers, and a forced refresh for when a cached value turns out to be stale (rotated credentials).
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretInvalidError, SecretUnavailableError } from '../errors.js';

export interface SecretCacheOptions {
  /** The SDK client; created once per container by the caller (its endpoint and region come from the environment). */
  client: SecretsManagerClient;
  /** How long a fetched value is served without asking Secrets Manager again, in milliseconds. */
  maxAgeMs: number;
  /** Clock in milliseconds (default `Date.now`); injected by tests to age entries. */
  now?: () => number;
}

interface Entry {
  readonly value: string;
  readonly fetchedAt: number;
  /** Sequence number of the fetch that produced it: an older fetch finishing late never overwrites a newer value. */
  readonly seq: number;
}

interface InFlight {
  readonly promise: Promise<string>;
  readonly seq: number;
  /** Started by a forced refresh: later forced callers may share it, since it began after the value was found stale. */
  readonly forced: boolean;
}

export class SecretCache {
  readonly #client: SecretsManagerClient;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, InFlight>();
  #seq = 0;
  /** Fetches numbered at or below this started before the last clear() and must not repopulate the cache. */
  #floor = 0;

  constructor(options: SecretCacheOptions) {
    this.#client = options.client;
    this.#maxAgeMs = options.maxAgeMs;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The secret's `SecretString`: the cached value if younger than `maxAgeMs`, otherwise one GetSecretValue shared
   * by all concurrent callers. `forceRefresh` bypasses the cache and does not join a fetch that was already under
   * way when the value was found stale (it could return the old value); it does share one started by another forced
   * refresh. Failures are not cached: the next call asks again.
   * @throws SecretUnavailableError when Secrets Manager fails (the message names the secret id and the AWS error name).
   * @throws SecretInvalidError when the secret has no `SecretString` (a binary secret).
   */
  getString(secretId: string, options: { forceRefresh?: boolean } = {}): Promise<string> {
    const forced = options.forceRefresh === true;
    if (!forced) {
      const entry = this.#entries.get(secretId);
      if (entry !== undefined && this.#now() - entry.fetchedAt < this.#maxAgeMs) return Promise.resolve(entry.value);
    }
    const running = this.#inFlight.get(secretId);
    if (running !== undefined && (!forced || running.forced)) return running.promise;
    return this.#start(secretId, forced);
  }

  /** Forgets every cached value (in-flight fetches finish but are not stored). For tests and explicit resets. */
  clear(): void {
    this.#entries.clear();
    this.#inFlight.clear();
    this.#floor = this.#seq;
  }

  #start(secretId: string, forced: boolean): Promise<string> {
    const seq = ++this.#seq;
    const promise = this.#fetch(secretId).then(
      (value) => {
        const current = this.#entries.get(secretId);
        if (seq > this.#floor && (current === undefined || current.seq < seq)) {
          this.#entries.set(secretId, { value, fetchedAt: this.#now(), seq });
        }
        this.#settle(secretId, seq);
        return value;
      },
      (error: unknown) => {
        this.#settle(secretId, seq);
        throw error;
      },
    );
    this.#inFlight.set(secretId, { promise, seq, forced });
    return promise;
  }

  #settle(secretId: string, seq: number): void {
    if (this.#inFlight.get(secretId)?.seq === seq) this.#inFlight.delete(secretId);
  }

  async #fetch(secretId: string): Promise<string> {
    let secretString: string | undefined;
    try {
      const output = await this.#client.send(new GetSecretValueCommand({ SecretId: secretId }));
      secretString = output.SecretString;
    } catch (error) {
      // Only the error's name goes into the message: SDK messages can quote request details.
      const name = error instanceof Error && /^[A-Za-z0-9_.:-]{1,100}$/.test(error.name) ? error.name : 'UnknownError';
      throw new SecretUnavailableError(`Secrets Manager could not read secret "${secretId}" (${name}).`, { cause: error });
    }
    if (typeof secretString !== 'string') {
      throw new SecretInvalidError(`Secret "${secretId}" has no SecretString (it is empty or binary); store the value as a string.`);
    }
    return secretString;
  }
}
