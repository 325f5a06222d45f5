/** Policy refusals, each a reason to not send that the caller can act on. */
export type PolicyErrorCode =
  | 'WINDOW_CLOSED'
  | 'CONSENT_REVOKED'
  | 'NO_OPT_IN'
  | 'TEMPLATE_NOT_APPROVED'
  | 'TEMPLATE_PARAMS_INVALID'
  | 'MEDIA_UNSUPPORTED'
  | 'MEDIA_TOO_LARGE'
  | 'NUMBER_NEEDS_ATTENTION'
  | 'RECIPIENT_UNKNOWN'
  /** Guard rails on templates nobody typed (core/automation/outbound-limits.ts). */
  | 'FREQUENCY_CAPPED'
  | 'QUIET_HOURS';

/** Refusals of the request itself rather than of the policy. */
export type RequestErrorCode = 'NOT_FOUND' | 'IDEMPOTENCY_KEY_REUSED' | 'INVALID_CONTENT';

export type SendErrorCode = PolicyErrorCode | RequestErrorCode;

/** An approved template that could be sent instead of a free-form message. */
export interface TemplateSuggestion {
  name: string;
  language: string;
  category: string;
  parameter_format: string;
  /** Placeholders per component: `['1', '2']` (positional) or `['first_name']` (named). */
  parameters: { header: string[]; body: string[]; buttons: { index: number; type: string }[] };
}

export interface SendError {
  code: SendErrorCode;
  /** What happened, for a person. */
  message: string;
  /** What to do instead. */
  hint: string;
  /** WINDOW_CLOSED: templates that can be sent now. */
  templates?: TemplateSuggestion[];
  /** QUIET_HOURS: when the contact's quiet hours end. */
  retryAt?: Date;
}

export function sendError(code: SendErrorCode, message: string, hint: string, extra: Pick<SendError, 'templates' | 'retryAt'> = {}): SendError {
  return { code, message, hint, ...extra };
}
