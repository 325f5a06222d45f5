import crypto from 'node:crypto';
import type { Response } from 'express';
import { stringsFor, type StringKey } from './strings';

/**
 * The install pages: small server-rendered HTML, every value escaped, no external assets. They run in
 * Zendesk's iframe, so the CSP allows exactly that frame parent, forms to us and to the account's own
 * Zendesk origin, and only the inline style and script carrying this answer's nonce.
 */
export interface PageContext {
  locale: string | undefined;
  /** `https://{subdomain}.zendesk.com` (or ZENDESK_API_BASE's origin): may frame us and receive our forms. */
  zendeskOrigin: string | undefined;
}

export interface Field {
  name: string;
  value: string;
}

export type Block =
  | { kind: 'text'; text: string }
  | { kind: 'alert'; text: string }
  | { kind: 'form'; action: string; hidden: Field[]; inputs: string[]; submit: string };

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

const style = 'body{font:15px/1.5 system-ui,sans-serif;margin:1.5rem;max-width:40rem;color:#1f2328}'
  + 'label,legend{display:block;font-weight:600;margin:.75rem 0 .25rem}input[type=text]{width:100%;padding:.4rem;box-sizing:border-box}'
  + 'button{margin-top:1rem;padding:.5rem 1rem;font:inherit}[role=alert]{border-left:4px solid #cf222e;padding:.25rem .75rem;background:#fff5f5}'
  + '.choice{display:block;font-weight:400}';

export function sendPage(res: Response, status: number, ctx: PageContext, title: StringKey, blocks: Block[], options: { autoSubmit?: boolean } = {}): void {
  const { lang, t } = stringsFor(ctx.locale);
  const nonce = crypto.randomBytes(16).toString('base64');
  const body = blocks.map((b) => {
    if (b.kind === 'text') return `<p>${escapeHtml(b.text)}</p>`;
    if (b.kind === 'alert') return `<p role="alert">${escapeHtml(b.text)}</p>`;
    const hidden = b.hidden.map((f) => `<input type="hidden" name="${escapeHtml(f.name)}" value="${escapeHtml(f.value)}">`).join('');
    return `<form method="post" action="${escapeHtml(b.action)}">${hidden}${b.inputs.join('')}<button type="submit">${escapeHtml(b.submit)}</button></form>`;
  }).join('\n');
  const script = options.autoSubmit ? `<script nonce="${nonce}">document.forms[0].submit();</script>` : '';
  const parent = ctx.zendeskOrigin ?? "'none'";
  res.removeHeader('X-Frame-Options');
  res.set({
    'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; form-action 'self' ${ctx.zendeskOrigin ?? ''}; frame-ancestors ${parent}; base-uri 'none'`,
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
  });
  res.status(status).type('html').send(`<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(t(title))}</title><style nonce="${nonce}">${style}</style></head>
<body><main><h1>${escapeHtml(t(title))}</h1>
${body}
</main>${script}</body></html>`);
}

export function textInput(id: string, label: string, value = '', attributes = ''): string {
  return `<label for="${escapeHtml(id)}">${escapeHtml(label)}</label><input type="text" id="${escapeHtml(id)}" name="${escapeHtml(id)}" value="${escapeHtml(value)}" ${attributes}>`;
}

export function radioGroup(name: string, legend: string, choices: Array<{ value: string; label: string }>): string {
  const items = choices.map((c, i) => `<label class="choice"><input type="radio" name="${escapeHtml(name)}" value="${escapeHtml(c.value)}"${i === 0 ? ' checked' : ''} required> ${escapeHtml(c.label)}</label>`).join('');
  return `<fieldset><legend>${escapeHtml(legend)}</legend>${items}</fieldset>`;
}

/** An error page the admin can act on. */
export function sendErrorPage(res: Response, status: number, ctx: PageContext, message: string): void {
  const { t } = stringsFor(ctx.locale);
  sendPage(res, status, ctx, 'errorTitle', [{ kind: 'alert', text: message }, { kind: 'text', text: t('startAgain') }]);
}
