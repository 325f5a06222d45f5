import { z } from 'zod';

/**
 * The developer project's files as HubSpot's 2026.03 templates and docs show them (shared/reference/hubspot.md §2.2,
 * §6.1, §6.4; HubSpot/hubspot-project-components). `hs project validate` downloads HubSpot's own schemas and needs
 * an account, so this is the offline stand-in: strict on the keys we use, so a typo fails here and not at upload.
 */
const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https URL' }).refine((u) => !/^https:\/\/(localhost|127\.)/.test(u), 'must not be localhost (HubSpot calls it from the internet)');
const uid = z.string().regex(/^[a-z0-9_-]{1,64}$/i, 'must be letters, digits, _ or - (at most 64)');

export const hsprojectSchema = z.strictObject({
  name: z.string().min(1),
  srcDir: z.string().min(1),
  platformVersion: z.enum(['2025.2', '2026.03'], { error: 'must be 2025.2 or 2026.03 (the marketplace accepts no older platform from 2026-11-02)' }),
});

const appConfig = z.strictObject({
  name: z.string().min(1).max(200),
  description: z.string().min(1),
  distribution: z.enum(['marketplace', 'private']),
  auth: z.strictObject({
    type: z.enum(['oauth', 'static']),
    redirectUrls: z.array(httpsUrl).min(1),
    requiredScopes: z.array(z.string().min(1)).min(1),
    optionalScopes: z.array(z.string().min(1)).default([]),
    conditionallyRequiredScopes: z.array(z.string().min(1)).default([]),
  }),
  permittedUrls: z.strictObject({ fetch: z.array(httpsUrl), iframe: z.array(httpsUrl), img: z.array(httpsUrl) }),
  support: z.strictObject({ supportEmail: z.email(), documentationUrl: httpsUrl, supportUrl: httpsUrl, supportPhone: z.string().optional() }),
}).refine((c) => c.distribution !== 'marketplace' || c.auth.type === 'oauth', { message: 'a marketplace app authenticates with oauth only', path: ['auth', 'type'] });

// [U] HubSpot's templates spell record types both ways (`contacts` in 2025.2's card, `CONTACT` in 2026.03's).
const cardObjectType = z.enum(['contacts', 'deals', 'companies', 'tickets', 'CONTACT', 'DEAL', 'COMPANY', 'TICKET']);
const cardConfig = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  location: z.enum(['crm.record.tab', 'crm.record.sidebar', 'crm.preview', 'helpdesk.sidebar']),
  entrypoint: z.string().regex(/^\/app\/cards\/[^/]+\.(tsx|jsx)$/, 'must be /app/cards/<file>.tsx (or .jsx)'),
  objectTypes: z.array(cardObjectType).min(1),
});

const subscription = z.strictObject({ subscriptionType: z.string().regex(/^[a-z_]+\.[A-Za-z]+$/), propertyName: z.string().optional(), objectType: z.string().optional(), active: z.boolean() })
  .refine((s) => !s.subscriptionType.endsWith('propertyChange') || s.propertyName !== undefined, { message: 'a propertyChange subscription names its propertyName' });
const webhooksConfig = z.strictObject({
  settings: z.strictObject({ targetUrl: httpsUrl, maxConcurrentRequests: z.number().int().min(5).max(100) }),
  subscriptions: z.strictObject({ crmObjects: z.array(subscription).optional(), legacyCrmObjects: z.array(subscription).optional(), hubEvents: z.array(subscription).optional() }),
});

const fieldName = z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be snake_case');
const typeDefinition = z.strictObject({
  name: fieldName,
  type: z.enum(['string', 'number', 'bool', 'date', 'datetime', 'enumeration', 'phone_number']),
  fieldType: z.enum(['text', 'textarea', 'number', 'select', 'booleancheckbox', 'date', 'phonenumber']),
  options: z.array(z.strictObject({ value: z.string(), label: z.string() })).optional(),
  // [U] §6.4 documents optionsUrl on the v4 actions API; the project file is assumed to take it the same way.
  optionsUrl: httpsUrl.optional(),
}).refine((t) => t.type !== 'enumeration' || t.options !== undefined || t.optionsUrl !== undefined, { message: 'an enumeration has options or an optionsUrl' });
const workflowActionConfig = z.strictObject({
  actionUrl: httpsUrl,
  isPublished: z.boolean(),
  supportedClients: z.array(z.strictObject({ client: z.enum(['WORKFLOWS', 'AGENTS']) })).min(1),
  objectTypes: z.array(z.enum(['CONTACT', 'COMPANY', 'DEAL', 'TICKET'])).min(1),
  inputFields: z.array(z.strictObject({ typeDefinition, supportedValueTypes: z.array(z.enum(['STATIC_VALUE', 'OBJECT_PROPERTY'])).min(1), isRequired: z.boolean() })),
  outputFields: z.array(z.strictObject({ typeDefinition })).optional(),
  labels: z.record(z.string(), z.strictObject({
    actionName: z.string().min(1),
    actionDescription: z.string().min(1),
    actionCardContent: z.string().optional(),
    inputFieldLabels: z.record(z.string(), z.string()),
    inputFieldDescriptions: z.record(z.string(), z.string()).optional(),
    outputFieldLabels: z.record(z.string(), z.string()).optional(),
  })).refine((labels) => 'en' in labels, 'needs English labels (en)'),
}).superRefine((c, ctx) => {
  for (const field of c.inputFields) {
    if (!Object.values(c.labels).every((l) => field.typeDefinition.name in l.inputFieldLabels)) ctx.addIssue({ code: 'custom', message: `input field ${field.typeDefinition.name} has no label`, path: ['labels'] });
  }
});

/** Each component type: its schema and the folder it must sit in (directly: HubSpot refuses nested folders). */
export const COMPONENTS = {
  app: { folder: 'app', schema: appConfig },
  card: { folder: 'app/cards', schema: cardConfig },
  webhooks: { folder: 'app/webhooks', schema: webhooksConfig },
  'workflow-action': { folder: 'app/workflow-actions', schema: workflowActionConfig },
} as const;

export const componentSchema = z.strictObject({
  uid,
  type: z.enum(Object.keys(COMPONENTS) as [keyof typeof COMPONENTS, ...(keyof typeof COMPONENTS)[]], { error: `must be one of ${Object.keys(COMPONENTS).join(', ')} (the types this project uses)` }),
  config: z.record(z.string(), z.unknown()),
});
