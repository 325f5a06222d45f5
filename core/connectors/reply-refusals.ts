/**
 * `ReplyOutcome` codes that mean nothing was sent and the same request would be refused the same way (core
 * send's policy and request errors): a platform shows them to the person (422-like), where any other failure
 * is worth trying again (503-like).
 */
const FINAL_REFUSALS: ReadonlySet<string> = new Set([
  'WINDOW_CLOSED', 'CONSENT_REVOKED', 'NO_OPT_IN', 'TEMPLATE_NOT_APPROVED', 'TEMPLATE_PARAMS_INVALID', 'MEDIA_UNSUPPORTED', 'MEDIA_TOO_LARGE',
  'NUMBER_NEEDS_ATTENTION', 'RECIPIENT_UNKNOWN', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED', 'INVALID_CONTENT', 'MEDIA_DOWNLOAD_FAILED',
]);

export function isFinalRefusal(code: string): boolean {
  return FINAL_REFUSALS.has(code);
}
