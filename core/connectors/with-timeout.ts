/**
 * Rejects with `message` when `work` takes longer than `timeoutMs`. For platform SDKs that take no
 * AbortSignal: the request may still finish unseen, which the callers' idempotency keys cover.
 */
export async function withTimeout<T>(work: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
