/** What a platform call answers: a value, or a failure as data. */
export type CallResult<T, E> = { ok: true; value: T } | { ok: false; error: E };

/** One installation's OAuth pair as a connector keeps it (see `withFreshToken`). */
export interface TokenSource<Credentials, E> {
  /** What this process last knew of the stored credentials. */
  current(): Credentials;
  /** The access token to use, or why there is none (never authorised, refresh refused earlier). */
  tokenOf(credentials: Credentials): CallResult<string, E>;
  expiresSoon(credentials: Credentials): boolean;
  /**
   * Refreshes under the installation's row lock (`Installation.updateCredentials`) if `stale` still holds
   * for what is stored then: otherwise another caller has refreshed already and its token is the answer.
   */
  refreshIf(stale: (stored: Credentials) => boolean): Promise<CallResult<string, E>>;
  isUnauthorized(error: E): boolean;
}

/**
 * Calls a platform with a fresh access token: refreshed first when it is about to expire, and after a 401
 * refreshed once more (only if the stored token is still the refused one) and the call retried once. The
 * refresh itself is the connector's; the order of checks, the same for every OAuth platform, is here.
 */
export async function withFreshToken<T, Credentials, E>(
  source: TokenSource<Credentials, E>, call: (accessToken: string) => Promise<CallResult<T, E>>,
): Promise<CallResult<T, E>> {
  const known = source.current();
  const usable = source.tokenOf(known);
  if (!usable.ok) return usable;
  let token = usable.value;
  if (source.expiresSoon(known)) {
    const refreshed = await source.refreshIf((stored) => source.expiresSoon(stored));
    if (!refreshed.ok) return refreshed;
    token = refreshed.value;
  }
  const first = await call(token);
  if (first.ok || !source.isUnauthorized(first.error)) return first;
  const refused = token;
  const refreshed = await source.refreshIf((stored) => {
    const storedToken = source.tokenOf(stored);
    return storedToken.ok && storedToken.value === refused;
  });
  return refreshed.ok ? call(refreshed.value) : refreshed;
}
