import crypto from 'node:crypto';
import type { Response } from 'express';

/** One field of an install form: a text box, or a choice of one among options. */
export type FormField =
  | { kind: 'text'; name: string; label: string; required: boolean; hint?: string }
  | { kind: 'choice'; name: string; label: string; options: Array<{ value: string; label: string }>; checked: string };

/** One block of an install page: a paragraph, a problem the admin must act on, a link, steps, a secret to copy, or a form. */
export type PageBlock =
  | { kind: 'text'; text: string }
  | { kind: 'alert'; text: string }
  | { kind: 'link'; href: string; text: string }
  | { kind: 'steps'; steps: string[] }
  | { kind: 'secret'; label: string; value: string }
  | { kind: 'form'; action: string; hidden: Record<string, string>; fields: FormField[]; submit: string };

function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

const style = 'body{font:15px/1.5 system-ui,sans-serif;margin:1.5rem;max-width:42rem;color:#1f2328}label,legend{display:block;font-weight:600;margin:.75rem 0 .25rem}'
  + 'fieldset{border:0;padding:0;margin:0}fieldset label{font-weight:400;margin:.15rem 0}small{color:#59636e}'
  + 'input[type=text]{width:100%;padding:.4rem;box-sizing:border-box}button{margin-top:1rem;padding:.5rem 1rem;font:inherit}'
  + 'code{display:block;padding:.5rem;background:#f6f8fa;word-break:break-all;user-select:all}'
  + '[role=alert]{border-left:4px solid #cf222e;padding:.25rem .75rem;background:#fff5f5}';

function renderField(field: FormField): string {
  const name = escapeHtml(field.name);
  if (field.kind === 'text') {
    const hint = field.hint ? `<small>${escapeHtml(field.hint)}</small>` : '';
    return `<label for="${name}">${escapeHtml(field.label)}</label><input type="text" id="${name}" name="${name}"${field.required ? ' required' : ''} autocomplete="off" spellcheck="false">${hint}`;
  }
  const options = field.options.map((o) => `<label><input type="radio" name="${name}" value="${escapeHtml(o.value)}"${o.value === field.checked ? ' checked' : ''}> ${escapeHtml(o.label)}</label>`).join('');
  return `<fieldset><legend>${escapeHtml(field.label)}</legend>${options}</fieldset>`;
}

function render(block: PageBlock): string {
  switch (block.kind) {
    case 'text': return `<p>${escapeHtml(block.text)}</p>`;
    case 'alert': return `<p role="alert">${escapeHtml(block.text)}</p>`;
    case 'link': return `<p><a href="${escapeHtml(block.href)}">${escapeHtml(block.text)}</a></p>`;
    case 'steps': return `<ol>${block.steps.map((step) => `<li>${escapeHtml(step)}</li>`).join('')}</ol>`;
    case 'secret': return `<p>${escapeHtml(block.label)}</p><code>${escapeHtml(block.value)}</code>`;
    case 'form': {
      const hidden = Object.entries(block.hidden).map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('');
      return `<form method="post" action="${escapeHtml(block.action)}">${hidden}${block.fields.map(renderField).join('')}<button type="submit">${escapeHtml(block.submit)}</button></form>`;
    }
  }
}

/**
 * A connector's install page: a top-level window, so nothing may frame it; every value is escaped, no external
 * assets, nothing cached (one shows a secret once), and forms only to us, or on to the `redirectTargets` (CSP
 * sources, such as the platform's authorize page): browsers apply form-action to the redirect a form's answer makes.
 */
export function sendInstallPage(res: Response, status: number, title: string, blocks: PageBlock[], redirectTargets: readonly string[] = []): void {
  const nonce = crypto.randomBytes(16).toString('base64');
  res.set({
    'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'${redirectTargets.map((t) => ` ${t}`).join('')}; frame-ancestors 'none'; base-uri 'none'`,
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
  });
  res.status(status).type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style nonce="${nonce}">${style}</style></head>
<body><main><h1>${escapeHtml(title)}</h1>
${blocks.map(render).join('\n')}
</main></body></html>`);
}
