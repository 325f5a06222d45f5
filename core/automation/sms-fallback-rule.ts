import { z } from 'zod';

/** An SMS is at most 1,600 characters on Twilio (longer bodies are refused with 21617). */
export const SMS_MAX_CHARS = 1600;
/** WhatsApp's "not on WhatsApp / undeliverable" failure (reference §7.2): the default trigger of a fallback. */
export const UNDELIVERABLE_CODES = [131026];

/**
 * SMS fallback (issue 7 item 8): a template WhatsApp reports failed with one of `errorCodes` goes out once as an
 * SMS from `fromNumber`, to a contact with SMS consent on the number. `text` is the SMS wording with the
 * template's placeholders ({{1}} or {{name}}); without it, the template's own body text with its parameters.
 * Needs Twilio (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN): the admin API refuses the rule without it.
 */
export const smsFallbackRule = z.object({
  enabled: z.boolean().default(true),
  fromNumber: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number with + and country code, such as +15550001234'),
  errorCodes: z.array(z.number().int().positive('must be a WhatsApp error code such as 131026')).min(1).max(20).default(UNDELIVERABLE_CODES),
  text: z.string().trim().min(1).max(SMS_MAX_CHARS, `must be at most ${SMS_MAX_CHARS} characters (one SMS message)`).optional(),
});
