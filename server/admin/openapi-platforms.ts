import { errorResponse, objectOf, ok, unauthorized, uuidParam } from './openapi-parts';

/** The platforms whose install page takes a connect code (server/routes/connect-codes.ts, wired per connector). */
const CONNECT_CODE_PLATFORMS = ['zendesk', 'hubspot', 'salesforce'] as const;

const connectCode = (platform: string) => ({
  post: {
    summary: `A one-time code to type into ${platform}'s install page, proving there that you administer this workspace (shown once)`,
    responses: { 201: ok('The code', objectOf({ code: { type: 'string' }, expires_at: { type: 'string', format: 'date-time' }, purpose: { const: platform } })), 401: unauthorized },
  },
});

const invalidInstallationId = errorResponse('INVALID_ID: not a UUID');
const csatProvisioned = objectOf({ id: { type: 'string', format: 'uuid' }, webhook_id: { type: 'string' }, trigger_id: { type: 'string' } });

/** The platform connectors' admin routes: server/routes/{zendesk,hubspot,salesforce}-connector-routes.ts and connect-codes.ts. */
export function platformPaths(): Record<string, object> {
  return {
    ...Object.fromEntries(CONNECT_CODE_PLATFORMS.map((platform) => [`/${platform}/connect-codes`, connectCode(platform)])),
    '/hubspot/installations': {
      get: {
        summary: 'Connected HubSpot portals, and which need a re-install (HubSpot refused the refresh)',
        responses: {
          200: ok('`{ items }`', objectOf({ items: { type: 'array', items: objectOf({
            id: { type: 'string', format: 'uuid' }, portalId: { type: 'integer' }, grantedScopes: { type: 'array', items: { type: 'string' } },
            needsReinstall: { type: 'boolean' }, phoneNumberId: { type: ['string', 'null'] },
          }) } })),
          401: unauthorized,
        },
      },
    },
    '/hubspot/installations/{id}': {
      delete: {
        summary: 'Disconnect a portal: the app is uninstalled in HubSpot, then here',
        parameters: [uuidParam],
        responses: {
          200: ok('Uninstalled', objectOf({ id: { type: 'string', format: 'uuid' }, portal_id: { type: 'integer' }, state: { const: 'uninstalled' }, hubspot_confirmed: { type: 'boolean' } })),
          400: invalidInstallationId, 401: unauthorized, 404: errorResponse('NOT_FOUND'), 409: errorResponse('The installation cannot be read (its settings or credentials)'),
          502: errorResponse('HubSpot did not confirm the uninstall; the installation is kept'), 503: errorResponse('NOT_CONFIGURED: no HubSpot app credentials on this server'),
        },
      },
    },
    '/zendesk/installations/{id}/provision-csat': {
      post: {
        summary: 'Make Zendesk send a solved ticket\'s WhatsApp customer the installation\'s csat template: creates the webhook and trigger (kept when they exist)',
        parameters: [uuidParam],
        responses: {
          200: ok('Already provisioned', csatProvisioned), 201: ok('Webhook and trigger created', csatProvisioned),
          400: invalidInstallationId, 401: unauthorized, 404: errorResponse('NOT_FOUND'),
          409: errorResponse('CSAT_NOT_SET, NOT_AUTHORISED (no REST token yet) or unreadable settings'), 502: errorResponse('ZENDESK_REFUSED'),
        },
      },
    },
    '/salesforce/installations': {
      get: {
        summary: 'Connected Salesforce orgs: login host, whether a reconnect is needed, the last token refresh, and whether the callout key is in place',
        responses: {
          200: ok('`{ items }`', objectOf({ items: { type: 'array', items: {
            type: 'object',
            required: ['id', 'org_id', 'instance_url', 'login_kind', 'state', 'last_refresh_at', 'refresh_refused_at', 'callout_key'],
            properties: {
              id: { type: 'string', format: 'uuid' }, org_id: { type: 'string' }, instance_url: { type: 'string' }, login_kind: { type: ['string', 'null'] },
              state: { type: 'string' }, last_refresh_at: { type: ['string', 'null'] }, refresh_refused_at: { type: ['string', 'null'] },
              callout_key: { enum: ['in_place', 'missing', 'unknown'] }, callout_key_problem: { type: 'string', description: 'Why, when callout_key is unknown' },
            },
          } } })),
          401: unauthorized,
        },
      },
    },
    '/salesforce/installations/{id}': {
      delete: {
        summary: 'Disconnect an org: Threadline\'s grant is revoked in Salesforce, then the installation removed',
        parameters: [uuidParam],
        responses: {
          200: ok('Uninstalled', objectOf({ id: { type: 'string', format: 'uuid' }, org_id: { type: 'string' }, state: { const: 'uninstalled' }, token_revoked: { type: 'boolean' } })),
          400: invalidInstallationId, 401: unauthorized, 404: errorResponse('NOT_FOUND'), 502: errorResponse('Salesforce did not revoke the token; the installation is kept'),
        },
      },
    },
  };
}
