import { z } from 'zod';
import { businessHoursSchema, type BusinessHours } from './business-hours';
import { botRule } from './bot-rule';
import { smsFallbackRule } from './sms-fallback-rule';
import { outboundLimitsRule, triggersRule } from './trigger-rules';

/** `{{back}}` in an out-of-hours reply: when the team is back, in words ("Monday at 09:00"). */
export const BACK_PLACEHOLDER = '{{back}}';
/** `{{team}}` in a menu's confirmation: the chosen team's name. */
export const TEAM_PLACEHOLDER = '{{team}}';

const businessHoursRule = z.object({
  hours: businessHoursSchema,
  /** A team's own hours (routing's team keys): its conversations' out-of-hours replies and response targets use them. */
  teams: z.record(z.string(), businessHoursSchema).default({}),
  /** Sent once per conversation per closed period, to the customer's first message in it (inside their 24-hour window). */
  autoReply: z.object({
    enabled: z.boolean().default(true),
    text: z.string().trim().min(1).max(1024, 'must be at most 1,024 characters (a WhatsApp text may be longer, an auto-reply should not)')
      .default(`Thanks for your message! We're closed right now and back ${BACK_PLACEHOLDER}. We'll answer you then.`),
  }).prefault({}),
});

const teamKey = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'must be a short key such as support or billing (lower case letters, digits, - and _)');
const salesforceId = z.string().regex(/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/, 'must be a Salesforce id (15 or 18 characters)');

/** Teams, and where a conversation routed to one lands on each platform (Zendesk group and tags, HubSpot owner, Salesforce queue or owner). */
const teamsRule = z.object({
  teams: z.array(z.object({
    key: teamKey,
    name: z.string().trim().min(1).max(60),
    zendesk: z.object({ groupId: z.number().int().positive().optional(), tags: z.array(z.string().regex(/^[a-z0-9_-]{1,80}$/, 'must be a Zendesk tag (lower case, no spaces)')).max(10).default([]) }).optional(),
    hubspot: z.object({ ownerId: z.string().regex(/^\d{1,20}$/, 'must be a HubSpot owner id (digits)').optional() }).optional(),
    salesforce: z.object({ queueId: salesforceId.optional(), ownerId: salesforceId.optional() }).optional(),
  })).min(1).max(50).refine((teams) => new Set(teams.map((t) => t.key)).size === teams.length, { message: 'team keys must be unique' }),
});

/** Keywords as customers type them: compared case-insensitively, whole words or phrases. */
const keywords = z.array(z.string().trim().min(1).max(40).transform((k) => k.toLowerCase())).max(20);

/** The menu a new conversation gets ("1 support, 2 sales …"): buttons for up to 3 options, a list for up to 10. */
const routingMenuRule = z.object({
  prompt: z.string().trim().min(1).max(1024).default('Hello! How can we help? Please choose:'),
  /** The list's button label (lists only). */
  buttonText: z.string().trim().min(1).max(20).default('Choose'),
  options: z.array(z.object({
    title: z.string().trim().min(1).max(20, 'must be at most 20 characters (WhatsApp button titles)'),
    team: teamKey,
    keywords: keywords.default([]),
  })).min(2, 'needs at least two options').max(10, 'WhatsApp lists show at most 10 options')
    .refine((options) => new Set(options.map((o) => o.title.toLowerCase())).size === options.length, { message: 'option titles must be unique' }),
  reprompt: z.string().trim().min(1).max(1024).default("Sorry, I didn't get that. Please choose one of the options."),
  /** Menus sent in all (the first included) before the conversation goes to `fallbackTeam`. */
  maxPrompts: z.number().int().min(1).max(5).default(2),
  /** No answer this long after the last menu: routed to `fallbackTeam`. */
  timeoutMinutes: z.number().int().min(1).max(24 * 60).default(10),
  fallbackTeam: teamKey,
  /** Sent once routed by the menu; `{{team}}` is the team's name; empty: nothing is sent. */
  confirmation: z.string().trim().max(1024).default(`Thanks! ${TEAM_PLACEHOLDER} will answer you here.`),
});

/** Words that route a conversation directly, before any menu ("invoice" → billing). */
const keywordRoutesRule = z.object({
  routes: z.array(z.object({ keywords: keywords.min(1, 'needs at least one keyword'), team: teamKey })).min(1).max(50),
});

/** Question-and-answer pairs answered automatically, each answer offering a person (issue 7 item 3). */
const faqRule = z.object({
  entries: z.array(z.object({
    question: z.string().trim().min(3).max(300),
    answer: z.string().trim().min(1).max(1024, 'must be at most 1,024 characters (it is sent with a button)'),
    /** Phrases that pick this entry outright ("opening hours", "refund"). */
    keywords: keywords.default([]),
  })).min(1).max(200),
  /** Share of an entry's question words a message must contain (typos of long words forgiven). */
  minScore: z.number().min(0.3).max(1).default(0.6),
  /** The button under every answer. */
  humanButton: z.string().trim().min(1).max(20).default('Talk to a person'),
});

/**
 * The message a conversation gets when it is closed (issue 7 item 6), sent only inside the customer's 24-hour
 * window. A reply within the number's quiet period (counted from this message) continues the same thread.
 */
const closingRule = z.object({
  message: z.string().trim().min(1).max(1024).default('Thanks for contacting us! If there is anything else, just reply here.'),
});

const responseMinutes = z.number().int().min(1).max(7 * 24 * 60);

/**
 * Response targets (issue 7 item 5): a person must answer a new conversation within `firstResponseMinutes` and
 * each later customer message within `nextResponseMinutes`, counted in business hours when a business_hours rule
 * is in force (and `businessHoursOnly`), per team where a team has its own.
 */
const slaRule = z.object({
  firstResponseMinutes: responseMinutes.default(5),
  nextResponseMinutes: responseMinutes.default(5),
  teams: z.record(teamKey, z.object({ firstResponseMinutes: responseMinutes.optional(), nextResponseMinutes: responseMinutes.optional() })).default({}),
  businessHoursOnly: z.boolean().default(true),
});

/**
 * Every kind of automation rule and the schema its definition must pass: the admin API refuses anything else
 * with the schema's messages. Later kinds (routing menus, FAQ answers, SLAs …) are added here.
 */
export const ruleKinds = {
  business_hours: businessHoursRule,
  teams: teamsRule,
  routing_menu: routingMenuRule,
  keyword_routes: keywordRoutesRule,
  faq: faqRule,
  closing: closingRule,
  sla: slaRule,
  bot: botRule,
  triggers: triggersRule,
  outbound_limits: outboundLimitsRule,
  sms_fallback: smsFallbackRule,
} as const;

/** The team keys a rule names, which the `teams` rule in force must define. */
export function teamsNamedBy(kind: RuleKind, definition: unknown): string[] {
  if (kind === 'routing_menu') {
    const menu = definition as RuleDefinition<'routing_menu'>;
    return [...menu.options.map((o) => o.team), menu.fallbackTeam];
  }
  if (kind === 'keyword_routes') return (definition as RuleDefinition<'keyword_routes'>).routes.map((r) => r.team);
  if (kind === 'sla') return Object.keys((definition as RuleDefinition<'sla'>).teams);
  if (kind === 'business_hours') return Object.keys((definition as RuleDefinition<'business_hours'>).teams);
  return [];
}

export type RuleKind = keyof typeof ruleKinds;
export type RuleDefinition<K extends RuleKind> = z.infer<(typeof ruleKinds)[K]>;

export const RULE_KINDS = Object.keys(ruleKinds) as RuleKind[];

export function isRuleKind(kind: string): kind is RuleKind {
  return Object.hasOwn(ruleKinds, kind);
}

/** The hours a conversation of `team` keeps: the team's own, else the rule's. */
export function hoursOfTeam(rule: RuleDefinition<'business_hours'>, team: string | null | undefined): BusinessHours {
  return (team ? rule.teams[team] : undefined) ?? rule.hours;
}
