import type { Knex } from 'knex';
import * as coreModel from './20261121_001_core_model';
import * as templates from './20261122_002_templates';
import * as outbound from './20261122_003_outbound';
import * as sync from './20261122_004_sync';
import * as loginAttempts from './20261122_005_login_attempts';
import * as installationNumber from './20261122_006_installation_number';
import * as externalLinkLookup from './20261122_007_external_link_lookup';
import * as hubspotWebhooks from './20261122_008_hubspot_webhooks';
import * as salesforceCalloutNonces from './20261122_009_salesforce_callout_nonces';
import * as automation from './20261122_010_automation';
import * as routing from './20261122_011_routing';
import * as slaTimers from './20261122_012_sla_timers';
import * as triggers from './20261122_013_triggers';
import * as botHandoff from './20261122_014_bot_handoff';
import * as smsFallback from './20261122_015_sms_fallback';
import * as csatResponses from './20261122_016_csat_responses';
import * as consoleSessions from './20261122_017_console_sessions';
import * as rateCard from './20261122_018_rate_card';
import * as numberHealth from './20261122_019_number_health';
import * as conversationSearch from './20261122_020_conversation_search';
import * as privacy from './20261122_021_privacy';
import * as outboundInFlight from './20261122_022_outbound_in_flight';

/** Migrations listed in order; a static list works the same under tsx, jest and a build. */
const migrations: Record<string, Knex.Migration> = {
  '20261121_001_core_model': coreModel,
  '20261122_002_templates': templates,
  '20261122_003_outbound': outbound,
  '20261122_004_sync': sync,
  '20261122_005_login_attempts': loginAttempts,
  '20261122_006_installation_number': installationNumber,
  '20261122_007_external_link_lookup': externalLinkLookup,
  '20261122_008_hubspot_webhooks': hubspotWebhooks,
  '20261122_009_salesforce_callout_nonces': salesforceCalloutNonces,
  '20261122_010_automation': automation,
  '20261122_011_routing': routing,
  '20261122_012_sla_timers': slaTimers,
  '20261122_013_triggers': triggers,
  '20261122_014_bot_handoff': botHandoff,
  '20261122_015_sms_fallback': smsFallback,
  '20261122_016_csat_responses': csatResponses,
  '20261122_017_console_sessions': consoleSessions,
  '20261122_018_rate_card': rateCard,
  '20261122_019_number_health': numberHealth,
  '20261122_020_conversation_search': conversationSearch,
  '20261122_021_privacy': privacy,
  '20261122_022_outbound_in_flight': outboundInFlight,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => {
    const migration = migrations[name];
    if (!migration) throw new Error(`Unknown migration ${name}`);
    return migration;
  },
};
