import type { Response } from 'express';
import type { ConsoleNotice } from '../../core/auth/console-sessions';
import { html, type Html } from './html';
import { sendPublicPage } from './layout';

/** One text field whose answer starts a sign-in (a Salesforce My Domain), sent with GET to `action`. */
export interface SignInField {
  action: string;
  name: string;
  label: string;
  hint: string;
}

/** A platform account to sign in with (Zendesk, HubSpot, Salesforce); `href` starts its OAuth flow. */
export interface SignInProvider {
  label: string;
  href: string;
  /** Other ways in to the same platform, offered under the buttons: links (a sandbox) and a field (a My Domain). */
  alternatives?: { links: ReadonlyArray<{ label: string; href: string }>; field?: SignInField };
}

export function signInPage(res: Response, providers: readonly SignInProvider[], next: string, notice: ConsoleNotice | null, status = 200): void {
  const withNext = (href: string): string => `${href}${href.includes('?') ? '&' : '?'}next=${encodeURIComponent(next)}`;
  sendPublicPage(res, {
    title: 'Sign in',
    status,
    body: html`
${providers.length > 0 ? html`<section aria-labelledby="platforms"><h2 id="platforms">With the account you installed from</h2>
<ul class="providers">${providers.map((p) => html`<li><a class="button" href="${withNext(p.href)}">${p.label}</a></li>`)}</ul>
${providers.map((p, index) => (p.alternatives ? alternativesOf(p.label, p.alternatives, `sign-in-other-${index}`, next, withNext) : ''))}</section>` : ''}
<section aria-labelledby="token"><h2 id="token">With the admin token</h2>
<form method="post" action="/admin/sign-in" class="stack">
<input type="hidden" name="next" value="${next}">
<label for="token-input">Admin token <small>THREADLINE_ADMIN_TOKEN of this server</small></label>
<input id="token-input" name="token" type="password" required autocomplete="current-password" spellcheck="false">
<button type="submit">Sign in</button>
</form></section>`,
  }, notice);
}

/** A platform's other logins: a group under its own heading, links first, then the one-field form. */
function alternativesOf(label: string, alternatives: NonNullable<SignInProvider['alternatives']>, id: string, next: string, withNext: (href: string) => string): Html {
  const { links, field } = alternatives;
  return html`<div role="group" aria-labelledby="${id}">
<h3 id="${id}">Other ${label} logins</h3>
${links.length > 0 ? html`<p>${links.map((link) => html`<a href="${withNext(link.href)}">${link.label}</a> `)}</p>` : ''}
${field ? html`<form method="get" action="${field.action}" class="inline">
<input type="hidden" name="next" value="${next}">
<label for="${id}-${field.name}">${field.label} <small>${field.hint}</small></label>
<input id="${id}-${field.name}" name="${field.name}" type="text" required autocomplete="off" autocapitalize="none" spellcheck="false">
<button type="submit">Continue</button>
</form>` : ''}
</div>`;
}
