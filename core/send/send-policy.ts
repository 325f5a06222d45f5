import type { Knex } from 'knex';
import { checkMedia } from './media-limits';
import { isFreeForm, type SendContent, type TemplateContent } from './send-content';
import { sendError, type SendError, type TemplateSuggestion } from './send-error';
import { marketingAllowed, type SendTarget } from './send-target';
import { templateParamProblems, templateShape } from './template-params';

interface TemplateRow {
  name: string;
  language: string;
  category: string;
  status: string;
  parameter_format: string;
  components: unknown;
}

/**
 * Everything that would make Meta refuse the message, or that the contact has refused, checked
 * before anything is stored or sent. Null when the message may go.
 */
export async function checkSendPolicy(db: Knex, target: SendTarget, content: SendContent, now: Date): Promise<SendError | null> {
  if (target.numberState === 'needs_attention') {
    return sendError('NUMBER_NEEDS_ATTENTION', `The WhatsApp number cannot send: ${target.numberStateReason ?? 'Meta rejected its access token'}`,
      'Reconnect the number with a valid System User token (POST /api/v1/numbers), then send again');
  }
  if (!target.waId) {
    return sendError('RECIPIENT_UNKNOWN', 'The contact has no WhatsApp phone number on record (only a username)', 'Wait for the customer to write, or add their number in the platform');
  }
  if (target.consentStatus === 'opted_out') {
    return sendError('CONSENT_REVOKED', 'The contact opted out of WhatsApp messages from this number',
      'Do not message them on WhatsApp; reach them on another channel. They can opt in again by writing START');
  }
  if (isFreeForm(content) && !(target.windowExpiresAt && target.windowExpiresAt > now)) {
    return sendError('WINDOW_CLOSED',
      target.windowExpiresAt
        ? `The 24-hour customer service window closed at ${target.windowExpiresAt.toISOString()}: WhatsApp accepts only approved templates now`
        : 'The customer has not written to this number, so there is no 24-hour window: WhatsApp accepts only approved templates',
      'Send one of the approved templates listed in `templates`; when the customer replies the window opens again for 24 hours',
      { templates: await fittingTemplates(db, target) });
  }
  if (content.type === 'template') return checkTemplate(db, target, content);
  if (content.type === 'media') {
    const media = checkMedia(content.kind, content.mime_type, content.size);
    if (!media.ok) return sendError(media.code, media.message, media.hint);
  }
  return null;
}

async function checkTemplate(db: Knex, target: SendTarget, content: TemplateContent): Promise<SendError | null> {
  const template: TemplateRow | undefined = await db('template')
    .where({ workspace_id: target.workspaceId, waba_id: target.wabaId, name: content.name, language: content.language })
    .first('name', 'language', 'category', 'status', 'parameter_format', 'components');
  if (!template || template.status !== 'APPROVED') {
    return sendError('TEMPLATE_NOT_APPROVED',
      template
        ? `Template ${content.name} (${content.language}) is ${template.status}, and WhatsApp sends only approved templates`
        : `There is no template ${content.name} in ${content.language} on this number's WhatsApp Business Account`,
      template ? 'Use another approved template, or fix it in WhatsApp Manager and wait for approval' : 'Check the name and language, or sync templates if it was created recently',
      { templates: await fittingTemplates(db, target) });
  }
  if (template.category === 'MARKETING' && !marketingAllowed(target)) {
    return sendError('NO_OPT_IN',
      target.marketing === 'stopped' ? 'The contact stopped marketing messages from this number' : 'The contact has not opted in to marketing messages from this number',
      'Send a utility template or wait for the customer to write; record an opt-in first if they gave one');
  }
  const problems = templateParamProblems(content, templateShape(template.components, template.parameter_format));
  if (problems.length) {
    return sendError('TEMPLATE_PARAMS_INVALID', `The parameters do not match template ${content.name}: ${problems.join('; ')}`,
      'Give the parameters the approved template defines (see GET templates); WhatsApp rejects any mismatch');
  }
  return null;
}

/**
 * Approved templates of the number's WABA that can go to this contact now: in the contact's
 * language when known (else every language), marketing ones only with opt-in.
 */
export async function fittingTemplates(db: Knex, target: SendTarget): Promise<TemplateSuggestion[]> {
  const query = db('template')
    .where({ workspace_id: target.workspaceId, waba_id: target.wabaId, status: 'APPROVED' })
    .orderBy([{ column: 'category', order: 'desc' }, 'name', 'language'])
    .limit(50)
    .select('name', 'language', 'category', 'status', 'parameter_format', 'components');
  if (target.language) query.where('language', target.language);
  if (!marketingAllowed(target)) query.whereNot('category', 'MARKETING');
  const rows: TemplateRow[] = await query;
  return rows.map((r) => {
    const shape = templateShape(r.components, r.parameter_format);
    return {
      name: r.name,
      language: r.language,
      category: r.category,
      parameter_format: shape.format,
      parameters: {
        header: shape.header,
        body: shape.body,
        buttons: shape.buttons.filter((b) => b.takesText || b.type === 'QUICK_REPLY').map((b) => ({ index: b.index, type: b.takesText ? 'url' : 'quick_reply' })),
      },
    };
  });
}
