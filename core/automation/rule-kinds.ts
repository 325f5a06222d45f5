import { z } from 'zod';
import { businessHoursSchema } from './business-hours';

/** `{{back}}` in an out-of-hours reply: when the team is back, in words ("Monday at 09:00"). */
export const BACK_PLACEHOLDER = '{{back}}';

const businessHoursRule = z.object({
  hours: businessHoursSchema,
  /** Sent once per conversation per closed period, to the customer's first message in it (inside their 24-hour window). */
  autoReply: z.object({
    enabled: z.boolean().default(true),
    text: z.string().trim().min(1).max(1024, 'must be at most 1,024 characters (a WhatsApp text may be longer, an auto-reply should not)')
      .default(`Thanks for your message! We're closed right now and back ${BACK_PLACEHOLDER}. We'll answer you then.`),
  }).prefault({}),
});

/**
 * Every kind of automation rule and the schema its definition must pass: the admin API refuses anything else
 * with the schema's messages. Later kinds (routing menus, FAQ answers, SLAs …) are added here.
 */
export const ruleKinds = {
  business_hours: businessHoursRule,
} as const;

export type RuleKind = keyof typeof ruleKinds;
export type RuleDefinition<K extends RuleKind> = z.infer<(typeof ruleKinds)[K]>;

export const RULE_KINDS = Object.keys(ruleKinds) as RuleKind[];

export function isRuleKind(kind: string): kind is RuleKind {
  return Object.hasOwn(ruleKinds, kind);
}
