import crypto from 'node:crypto';
import type { Response } from 'express';

/** One block of an install page: a paragraph, a problem the admin must act on, a link, or a form. */
export type PageBlock =
  | { kind: 'text'; text: string }
  | { kind: 'alert'; text: string }
  | { kind: 'link'; href: string; text: string }
  | { kind: 'form'; action: string; hidden: Record<string, string>; input?: { name: string; label: string }; submit: string };

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

const style = 'body{font:15px/1.5 system-ui,sans-serif;margin:1.5rem;max-width:40rem;color:#1f2328}label{display:block;font-weight:600;margin:.75rem 0 .25rem}'
  + 'input[type=text]{width:100%;padding:.4rem;box-sizing:border-box}button{margin-top:1rem;padding:.5rem 1rem;font:inherit}'
  + '[role=alert]{border-left:4px solid #cf222e;padding:.25rem .75rem;background:#fff5f5}';

function render(block: PageBlock): string {
  switch (block.kind) {
    case 'text': return `<p>${escapeHtml(block.text)}</p>`;
    case 'alert': return `<p role="alert">${escapeHtml(block.text)}</p>`;
    case 'link': return `<p><a href="${escapeHtml(block.href)}">${escapeHtml(block.text)}</a></p>`;
    case 'form': {
      const hidden = Object.entries(block.hidden).map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`).join('');
      const input = block.input
        ? `<label for="${escapeHtml(block.input.name)}">${escapeHtml(block.input.label)}</label><input type="text" id="${escapeHtml(block.input.name)}" name="${escapeHtml(block.input.name)}" required autocomplete="off" spellcheck="false">`
        : '';
      return `<form method="post" action="${escapeHtml(block.action)}">${hidden}${input}<button type="submit">${escapeHtml(block.submit)}</button></form>`;
    }
  }
}

/**
 * The install pages: a top-level window (not a platform iframe), so nothing may frame them; every value is
 * escaped, no external assets, forms only to us.
 */
export function sendInstallPage(res: Response, status: number, title: string, blocks: PageBlock[]): void {
  const nonce = crypto.randomBytes(16).toString('base64');
  res.set({
    'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
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
