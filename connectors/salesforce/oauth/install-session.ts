import type { Request, Response } from 'express';

/**
 * Binds an install to the admin's browser: the cookie carries the login attempt's id and its CSRF token
 * (stored hashed in the attempt), so only the browser that started an install can continue it, and an
 * OAuth state handed to another browser (a forged or leaked callback link) finds no session there.
 */
const COOKIE = 'threadline_salesforce_install';
const COOKIE_PATH = '/connectors/salesforce';

export interface InstallSession {
  attemptId: string;
  csrfToken: string;
}

export function setInstallSession(res: Response, session: InstallSession, options: { production: boolean; maxAgeMs: number }): void {
  res.cookie(COOKIE, `${session.attemptId}.${session.csrfToken}`, {
    httpOnly: true,
    // Lax: sent on Salesforce's top-level redirect back to the callback, never on a cross-site POST.
    sameSite: 'lax',
    secure: options.production,
    path: COOKIE_PATH,
    maxAge: options.maxAgeMs,
  });
}

export function clearInstallSession(res: Response, options: { production: boolean }): void {
  res.clearCookie(COOKIE, { httpOnly: true, sameSite: 'lax', secure: options.production, path: COOKIE_PATH });
}

/** The session this browser holds, if its cookie is well formed; whether it is still open is the attempt's to say. */
export function installSessionOf(req: Request): InstallSession | undefined {
  const header = req.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name !== COOKIE) continue;
    const match = /^([0-9a-f-]{36})\.([A-Za-z0-9_-]{16,100})$/.exec(decodeURIComponent(rest.join('=')));
    return match?.[1] && match[2] ? { attemptId: match[1], csrfToken: match[2] } : undefined;
  }
  return undefined;
}
