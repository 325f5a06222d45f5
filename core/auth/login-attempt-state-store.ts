import type { Request } from 'express';
import type OAuth2Strategy from 'passport-oauth2';
import type { LoginAttempts } from './login-attempts';

/**
 * Passport's state store (the PKCE form: `store` with 5 arguments, `verify` with 4, as passport-oauth2
 * dispatches on arity) over one login attempt. `store` saves a fresh state's hash and the verifier;
 * `verify` spends them: a state that is not this attempt's current one fails, and so does a replay.
 */
export function loginAttemptStateStore(attempts: LoginAttempts, attemptId: string, newState: () => string): OAuth2Strategy.StateStore {
  const store = {
    store(_req: Request, verifier: string, _state: unknown, _meta: unknown, callback: (err: Error | null, state?: string) => void): void {
      const state = newState();
      attempts.beginAuthorization(attemptId, state, verifier).then(() => callback(null, state), (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))));
    },
    verify(_req: Request, state: string, _meta: unknown, callback: (err: Error | null, ok: string | false, info?: { message: string }) => void): void {
      attempts.takeAuthorization(attemptId, state).then(
        (verifier) => (verifier === undefined ? callback(null, false, { message: 'state' }) : callback(null, verifier)),
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), false),
      );
    },
  };
  // @types/passport-oauth2 declares only the non-PKCE signatures; passport-oauth2 calls these by arity at runtime.
  return store as unknown as OAuth2Strategy.StateStore;
}
