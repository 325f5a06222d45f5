import type { Response } from 'express';
import type { ConsoleNotice } from '../../core/auth/console-sessions';
import { html } from './html';
import { sendPublicPage } from './layout';

/** A platform account to sign in with (Zendesk, HubSpot, Salesforce); `href` starts its OAuth flow. */
export interface SignInProvider {
  label: string;
  href: string;
}

export function signInPage(res: Response, providers: readonly SignInProvider[], next: string, notice: ConsoleNotice | null, status = 200): void {
  const withNext = (href: string): string => `${href}${href.includes('?') ? '&' : '?'}next=${encodeURIComponent(next)}`;
  sendPublicPage(res, {
    title: 'Sign in',
    status,
    body: html`
${providers.length > 0 ? html`<section aria-labelledby="platforms"><h2 id="platforms">With the account you installed from</h2>
<ul class="providers">${providers.map((p) => html`<li><a class="button" href="${withNext(p.href)}">${p.label}</a></li>`)}</ul></section>` : ''}
<section aria-labelledby="token"><h2 id="token">With the admin token</h2>
<form method="post" action="/admin/sign-in" class="stack">
<input type="hidden" name="next" value="${next}">
<label for="token-input">Admin token <small>THREADLINE_ADMIN_TOKEN of this server</small></label>
<input id="token-input" name="token" type="password" required autocomplete="current-password" spellcheck="false">
<button type="submit">Sign in</button>
</form></section>`,
  }, notice);
}
