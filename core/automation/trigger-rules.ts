import { IANAZone } from 'luxon';
import { z } from 'zod';

/** A JSON pointer (RFC 6901) into a trigger's payload, e.g. `/customer/phone`. */
const pointer = z.string().regex(/^(\/([^~]|~[01])*)+$/, 'must be a JSON pointer such as /customer/phone');

/**
 * Where a callback goes: https, or http on this machine for local development (the callback job's address guard
 * still refuses private hosts that are not explicitly allowed).
 */
const callbackUrl = z.url({ protocol: /^https?$/ }).refine((url) => {
  const { protocol, hostname } = new URL(url);
  return protocol === 'https:' || hostname === '127.0.0.1' || hostname === 'localhost';
}, { message: 'must be an https URL' });

const templateName = z.string().regex(/^[a-z0-9_]{1,512}$/, 'must be an approved template\'s name (lower case letters, digits and _)');
const language = z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'must be a template language such as en_US or de');
/** A body parameter: a JSON pointer into the payload when it starts with `/`, else the literal text. */
const parameter = z.string().min(1).max(1024);

/** One trigger (issue 7 item 7): `POST /api/v1/triggers/:name` sends `template` to the phone at `to`. */
export const triggerSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a slug such as order-shipped (lower case letters, digits and -)'),
  template: templateName,
  language,
  to: pointer,
  parameters: z.array(parameter).max(20).default([]),
  /** The number it sends from, when the workspace default rule names a trigger and the workspace has several numbers. */
  phoneNumberId: z.string().regex(/^\d{5,20}$/, 'must be a numeric Phone number ID').optional(),
  callbackUrl: callbackUrl.optional(),
  /** false: sent at once even in the contact's quiet hours (a one-time code, an appointment in an hour). */
  quietHours: z.boolean().default(true),
  /**
   * No answer `afterHours` after the template: `template` (default the same one, same parameters) is sent once; or,
   * with `assignTask`, nothing is sent and the platforms give the contact's owner a task to follow up.
   */
  followUp: z.object({
    afterHours: z.number().min(1).max(24 * 14),
    template: templateName.optional(),
    language: language.optional(),
    parameters: z.array(parameter).max(20).optional(),
    assignTask: z.boolean().default(false),
  }).refine((f) => !f.assignTask || (f.template === undefined && f.language === undefined && f.parameters === undefined), {
    message: 'assignTask sends no reminder: leave out template, language and parameters', path: ['assignTask'],
  }).optional(),
});
export type TriggerDefinition = z.infer<typeof triggerSchema>;

export const triggersRule = z.object({
  triggers: z.array(triggerSchema).min(1).max(100)
    .refine((list) => new Set(list.map((t) => t.name)).size === list.length, { message: 'trigger names must be unique' }),
});

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time as HH:MM');
const cap = z.object({ max: z.number().int().min(0).max(1000), perDays: z.number().int().min(1).max(365) });

/**
 * Guard rails on templates nobody typed (automations, triggers, platform workflows): at most `max` templates of a
 * category per contact in `perDays` days, and quiet hours in the contact's time zone (from their country code).
 */
export const outboundLimitsRule = z.object({
  marketing: cap.optional(),
  utility: cap.optional(),
  authentication: cap.optional(),
  quietHours: z.object({
    start: clock,
    end: clock,
    /** For a number whose country code Threadline has no zone for. */
    defaultTimeZone: z.string().refine((zone) => IANAZone.isValidZone(zone), { message: 'must be an IANA time zone such as Europe/Berlin' }).default('UTC'),
  }).refine((q) => q.start !== q.end, { message: 'start and end must differ' }).optional(),
});
export type OutboundLimits = z.infer<typeof outboundLimitsRule>;
