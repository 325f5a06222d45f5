import crypto from 'node:crypto';

/** `sha256=<lowercase hex HMAC-SHA256 of the exact bytes>` keyed with the App Secret (reference §1.2). */
export function signatureFor(body: string | Buffer, appSecret: string): string {
  return `sha256=${crypto.createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/**
 * Serialises like Meta: JSON with every non-ASCII UTF-16 unit escaped as \uXXXX (`é` → `\u00e9`, emoji as a
 * surrogate pair). A receiver that re-serialises before checking the HMAC fails on such bodies, as it would live.
 */
export function toMetaJson(payload: unknown): string {
  return JSON.stringify(payload).replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface PostWebhookOptions {
  /** Overrides the header: a wrong value, or false to send none. */
  signature?: string | false;
  /** Defaults to the fake's configured secret. */
  appSecret?: string;
}

/** POSTs `body` byte for byte, as Meta does, and reports the answer's status. Throws only when no answer came. */
export async function postSigned(url: string, body: string, appSecret: string | undefined, options: PostWebhookOptions = {}): Promise<{ status: number; signature: string | undefined }> {
  const secret = options.appSecret ?? appSecret;
  let signature: string | undefined;
  if (options.signature === false) signature = undefined;
  else if (options.signature !== undefined) signature = options.signature;
  else if (secret !== undefined) signature = signatureFor(body, secret);
  else throw new Error('postWebhook needs an appSecret (fake option or per call) or an explicit signature');
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'facebookexternalua' };
  if (signature !== undefined) headers['X-Hub-Signature-256'] = signature;
  const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
  return { status: res.status, signature };
}
