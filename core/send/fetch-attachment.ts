/** A file a platform handed us (Zendesk attachment, HubSpot file …), read into memory for upload. */
export interface Attachment {
  data: Buffer;
  /** The Content-Type the host answered with, or undefined when it sent none. */
  contentType: string | undefined;
}

export type AttachmentResult =
  | { ok: true; attachment: Attachment }
  | { ok: false; retryable: boolean; tooLarge: boolean; message: string };

/**
 * Downloads `url`, refusing more than `maxBytes` while reading, so an oversized file costs at
 * most that much memory. Network errors and 5xx/429 are worth a retry; other answers are not.
 */
export async function fetchAttachment(url: string, maxBytes: number, timeoutMs = 60_000): Promise<AttachmentResult> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    return { ok: false, retryable: true, tooLarge: false, message: `Could not download the file: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (!res.ok) {
    await res.body?.cancel();
    return { ok: false, retryable: res.status >= 500 || res.status === 429, tooLarge: false, message: `Downloading the file answered HTTP ${res.status}` };
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    return { ok: false, retryable: false, tooLarge: true, message: `The file has ${declared} bytes, over the ${maxBytes} byte limit` };
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    if (res.body) {
      for await (const chunk of res.body) {
        total += chunk.byteLength;
        if (total > maxBytes) {
          return { ok: false, retryable: false, tooLarge: true, message: `The file is over the ${maxBytes} byte limit` };
        }
        chunks.push(Buffer.from(chunk));
      }
    }
  } catch (err) {
    return { ok: false, retryable: true, tooLarge: false, message: `Download interrupted: ${err instanceof Error ? err.message : String(err)}` };
  }
  return { ok: true, attachment: { data: Buffer.concat(chunks), contentType: res.headers.get('content-type') ?? undefined } };
}
