import express, { Router } from 'express';
import { receivePlatformRequest, type PlatformRequestDeps } from '../../core/connectors/receive-platform-request';
import { parseChannelbackForm } from './channelback';
import { claimedInstallationId } from './metadata';

/** The `channelback_url` the integration manifest names. */
export const CHANNELBACK_PATH = '/connectors/zendesk/channelback';

const unauthorised = { error: 'This reply is not signed for an active Threadline WhatsApp integration; reinstall the integration in Zendesk.', code: 'UNAUTHORIZED' };

/**
 * The manifest names one channelback URL for every account (reference §1.1), so the installation comes
 * from the metadata Zendesk sends back. The id is only a claim here: the installation's connector checks
 * the metadata's signature with that installation's key before anything is sent.
 */
export function zendeskChannelbackRoutes(deps: PlatformRequestDeps): Router {
  const router = Router();
  router.post(CHANNELBACK_PATH, express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const body = parseChannelbackForm(rawBody);
    const installationId = claimedInstallationId(typeof body.metadata === 'string' ? body.metadata : undefined);
    if (installationId === undefined) {
      res.status(401).json(unauthorised);
      return;
    }
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const answer = await receivePlatformRequest(deps, { connector: 'zendesk', installationId }, 'reply', { headers, rawBody, body });
    // An unknown or uninstalled installation is a forged or stale claim: to Zendesk, unauthorised.
    if (answer.status === 404) res.status(401).json(unauthorised);
    else res.status(answer.status).json(answer.body);
  });
  return router;
}
