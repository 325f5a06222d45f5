import { publicUrlProblem } from './public-url-guard';

/** A file a platform handed us (Zendesk attachment, HubSpot file …), read into memory for upload. */
export interface Attachment {
  data: Buffer;
  /** The Content-Type the host answered with, or undefined when it sent none. */
  contentType: string | undefined;
}

export type AttachmentResult =
  | { ok: true; attachment: Attachment }
  | { ok: false; retryable: boolean; tooLarge: boolean; message: string };

const MAX_REDIRECTS = 3;

export interface FetchOptions {
  allowedHosts?: readonly string[];
  timeoutMs?: number;
  /** Sent as `Authorization: Bearer` to the URL's own origin only: a redirect elsewhere never sees it. */
  bearerToken?: string;
}

/**
 * Downloads `url`, refusing more than `maxBytes` while reading, so an oversized file costs at
 * most that much memory; `maxBytes` may depend on the Content-Type the host answers with.
 * Network errors and 5xx/429 are worth a retry; other answers are not.
 * Every hop, redirects included, must be a public host (see public-url-guard.ts).
 */
export async function fetchAttachment(url: string, maxBytes: number | ((contentType: string | undefined) => number), options: FetchOptions = {}): Promise<AttachmentResult> {
  let res: Response | undefined;
  let current = url;
  const origin = URL.canParse(url) ? new URL(url).origin : undefined;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const problem = await publicUrlProblem(current, options.allowedHosts ?? []);
    if (problem) return { ok: false, retryable: false, tooLarge: false, message: `Refused to download ${current}: ${problem}` };
    const headers: Record<string, string> = options.bearerToken !== undefined && new URL(current).origin === origin ? { authorization: `Bearer ${options.bearerToken}` } : {};
    try {
      res = await fetch(current, { redirect: 'manual', headers, signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) });
    } catch (err) {
      return { ok: false, retryable: true, tooLarge: false, message: `Could not download the file: ${err instanceof Error ? err.message : String(err)}` };
    }
    const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
    if (!location) break;
    await res.body?.cancel();
    current = new URL(location, current).toString();
    res = undefined;
  }
  if (!res) return { ok: false, retryable: false, tooLarge: false, message: `Too many redirects downloading ${url}` };
  if (!res.ok) {
    await res.body?.cancel();
    return { ok: false, retryable: res.status >= 500 || res.status === 429, tooLarge: false, message: `Downloading the file answered HTTP ${res.status}` };
  }
  const contentType = res.headers.get('content-type') ?? undefined;
  const limit = typeof maxBytes === 'number' ? maxBytes : maxBytes(contentType);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel();
    return { ok: false, retryable: false, tooLarge: true, message: `The file has ${declared} bytes, over the ${limit} byte limit` };
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    if (res.body) {
      for await (const chunk of res.body) {
        total += chunk.byteLength;
        if (total > limit) {
          return { ok: false, retryable: false, tooLarge: true, message: `The file is over the ${limit} byte limit` };
        }
        chunks.push(Buffer.from(chunk));
      }
    }
  } catch (err) {
    return { ok: false, retryable: true, tooLarge: false, message: `Download interrupted: ${err instanceof Error ? err.message : String(err)}` };
  }
  return { ok: true, attachment: { data: Buffer.concat(chunks), contentType } };
}
