import { Router } from 'express';
import { z } from 'zod';
import { isStorableText } from '../../../core/db/storable-text';
import type { Logger } from '../../../core/observability/logger';
import { linkTypes } from '../map-event-to-resource';
import { CHANNELBACK_PATH } from '../channelback-route';
import type { ZendeskRouteDeps } from './install-deps';
import { ADMIN_UI_PATH } from './install-routes';

export const MANIFEST_PATH = '/connectors/zendesk/manifest.json';
export const EVENT_CALLBACK_PATH = '/connectors/zendesk/events';
export const CLICKTHROUGH_PATH = '/connectors/zendesk/clickthrough';
export const HEALTHCHECK_PATH = '/connectors/zendesk/health';

/**
 * The integration manifest (reference §1.1). `id` never changes (Zendesk keys the integration by it);
 * bump `version` when the manifest changes so Zendesk refreshes its cached copy (it can take hours, so
 * old URLs must keep working for days).
 */
export const MANIFEST_ID = 'urn:threadline:zendesk:whatsapp-channel';
export const MANIFEST_VERSION = '1.0.0';

export function buildManifest(publicUrl: string, pushClientId: string) {
  const url = (path: string) => `${publicUrl}${path}`;
  return {
    name: 'Threadline WhatsApp',
    id: MANIFEST_ID,
    version: MANIFEST_VERSION,
    author: 'Threadline',
    push_client_id: pushClientId,
    channelback_files: true,
    create_followup_tickets: true,
    urls: {
      admin_ui: url(ADMIN_UI_PATH),
      channelback_url: url(CHANNELBACK_PATH),
      clickthrough_url: url(CLICKTHROUGH_PATH),
      healthcheck_url: url(HEALTHCHECK_PATH),
      event_callback_url: url(EVENT_CALLBACK_PATH),
      about_url: url('/connectors/zendesk/about'),
    },
  };
}

/** Zendesk's schema accepts only https URLs in a manifest (§1.1); development may serve it anyway. */
export function manifestProblem(publicUrl: string, production: boolean): string | undefined {
  if (!publicUrl.startsWith('https://') && production) {
    return `PUBLIC_URL is ${publicUrl}, but Zendesk accepts only https URLs in an integration manifest: set PUBLIC_URL to the https address Zendesk reaches Threadline at.`;
  }
  return undefined;
}

/** Warned once at start, so an operator sees it before Zendesk does. */
export function warnAboutManifest(deps: Pick<ZendeskRouteDeps, 'publicUrl' | 'production' | 'app'>, logger: Logger): void {
  const problem = manifestProblem(deps.publicUrl, deps.production);
  if (problem) logger.warn(problem);
  if (!deps.app && deps.production) logger.warn('ZENDESK_CLIENT_ID and ZENDESK_CLIENT_SECRET are not set: the Zendesk integration cannot be installed');
}

/** The manifest and the small endpoints it names: clickthrough, healthcheck, about. */
export function manifestRoutes(deps: ZendeskRouteDeps): Router {
  const router = Router();

  router.get(MANIFEST_PATH, (_req, res) => {
    const problem = manifestProblem(deps.publicUrl, deps.production);
    if (problem) {
      res.status(500).json({ error: { code: 'PUBLIC_URL_NOT_HTTPS', message: problem } });
      return;
    }
    if (!deps.app) {
      res.status(503).json({ error: { code: 'ZENDESK_NOT_CONFIGURED', message: 'Set ZENDESK_CLIENT_ID and ZENDESK_CLIENT_SECRET (the global OAuth client) to serve the Zendesk integration manifest.' } });
      return;
    }
    res.set('Cache-Control', 'public, max-age=300').json(buildManifest(deps.publicUrl, deps.app.clientId));
  });

  // Zendesk polls it to show the integration's health (§1.7, [U]): answer at once, touching nothing.
  router.all(HEALTHCHECK_PATH, (_req, res) => {
    res.json({ ok: true });
  });

  router.get('/connectors/zendesk/about', (_req, res) => {
    res.type('text/plain').send('Threadline syncs WhatsApp Business conversations into Zendesk tickets; agents reply from the ticket.');
  });

  // An agent clicked a comment's source link (§1.7, [U]: its parameters): to the conversation in the admin console.
  router.get(CLICKTHROUGH_PATH, async (req, res) => {
    const query = z.object({ external_id: z.string().min(1).max(255).refine(isStorableText) }).safeParse(req.query);
    if (!query.success) {
      res.status(400).type('text/plain').send('Zendesk sent no readable external_id: Threadline cannot tell which message this is.');
      return;
    }
    const row: { conversation_id: string } | undefined = await deps.db('external_link as l')
      .join('sync_outbox as o', function joinOutbox() {
        this.on('o.message_id', '=', 'l.entity_id').andOn('o.installation_id', '=', 'l.installation_id');
      })
      .where({ 'l.entity_type': 'message', 'l.external_type': linkTypes.resource, 'l.external_id': query.data.external_id })
      .first('o.conversation_id');
    if (!row) {
      res.status(404).type('text/plain').send('Threadline has no message with this id (it may have been pushed by another installation).');
      return;
    }
    res.redirect(302, `${deps.publicUrl}/admin/conversations/${encodeURIComponent(row.conversation_id)}`);
  });

  return router;
}
