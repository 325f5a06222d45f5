import type { Request, Response } from 'express';
import { LOGIN_ATTEMPT_TTL_MS, type LoginAttempt, type LoginAttempts } from './login-attempts';

/**
 * Binds a connector's install to the admin's browser: a cookie carries the login attempt's id and its CSRF token
 * (stored hashed in the attempt), so only the browser that started an install can continue it, and an OAuth state
 * handed to another browser (a forged or leaked callback link) finds no session there.
 */
export interface InstallSessions {
  /** Starts an install attempt and gives this browser its cookie; the CSRF token is for the page's form. */
  start(res: Response, input: Omit<Parameters<LoginAttempts['start']>[0], 'purpose'>): Promise<{ attempt: LoginAttempt; csrfToken: string }>;
  clear(res: Response): void;
  /** The open install this browser's form continues: the form's token must be the cookie's, which a page of another site cannot read. */
  ofForm(req: Request, csrf: string): Promise<{ attempt: LoginAttempt; csrfToken: string } | undefined>;
  /** The open install an OAuth state belongs to when this browser started it; else undefined, and what was there for the log. */
  ofCallback(req: Request, state: string | undefined): Promise<{ attempt: LoginAttempt | undefined; hasSession: boolean; stateKnown: boolean }>;
}

interface Session {
  attemptId: string;
  csrfToken: string;
}

/** Install sessions of one `purpose`, their cookie `name` sent only under the connector's `path`, `secure` in production. */
export function installSessions(options: { purpose: string; cookie: string; path: string; production: boolean; loginAttempts: LoginAttempts }): InstallSessions {
  const { purpose, loginAttempts } = options;
  // Lax: sent on the platform's top-level redirect back to the callback, never on a cross-site POST.
  const attributes = { httpOnly: true, sameSite: 'lax' as const, secure: options.production, path: options.path };

  const sessionOf = (req: Request): Session | undefined => {
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const [name, ...rest] = part.trim().split('=');
      if (name !== options.cookie) continue;
      const match = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{16,100})$/.exec(decodeURIComponent(rest.join('=')));
      return match?.[1] && match[2] ? { attemptId: match[1], csrfToken: match[2] } : undefined;
    }
    return undefined;
  };
  // Whether the attempt is still open is the attempt's to say.
  const attemptOf = (session: Session | undefined) => session && loginAttempts.resume(purpose, session.attemptId, session.csrfToken);

  return {
    async start(res, input) {
      const started = await loginAttempts.start({ ...input, purpose });
      res.cookie(options.cookie, `${started.attempt.id}.${started.csrfToken}`, { ...attributes, maxAge: input.ttlMs ?? LOGIN_ATTEMPT_TTL_MS });
      return started;
    },
    clear: (res) => res.clearCookie(options.cookie, attributes),
    async ofForm(req, csrf) {
      const session = sessionOf(req);
      if (session?.csrfToken !== csrf) return undefined;
      const attempt = await attemptOf(session);
      return attempt && { attempt, csrfToken: session.csrfToken };
    },
    async ofCallback(req, state) {
      const attempt = await attemptOf(sessionOf(req));
      const stateAttempt = state === undefined ? undefined : await loginAttempts.findByState(purpose, state);
      return { attempt: attempt && stateAttempt?.id === attempt.id ? attempt : undefined, hasSession: attempt !== undefined, stateKnown: stateAttempt !== undefined };
    },
  };
}
