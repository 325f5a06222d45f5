import type { Logger } from '../observability/logger';
import type {
  BatchOutcome, ConnectorDefinition, DeliverContext, DeliveryLimits, ErasureLink, ErasureOutcome, EventTarget, Installation, PlatformRequest, PlatformResponse, RecordLink,
  ReplyContext, ReplySource,
} from './contract';
import type { SyncEvent } from './contract';
import type { CredentialChange } from './update-credentials';

/** An installation row with its credentials opened but not yet parsed. */
export interface InstallationRecord {
  id: string;
  workspaceId: string;
  connector: string;
  accountId: string;
  settings: unknown;
  credentials: unknown;
  /** Stores new credentials under the installation's lock (`updateInstallationCredentials`). */
  updateCredentials(change: CredentialChange): Promise<unknown>;
  requireReinstall(reason: string): Promise<void>;
}

/** A capability bound to one installation: what the sync engine and the server call. */
export interface BoundEventTarget {
  limits: DeliveryLimits;
  deliver(events: readonly SyncEvent[], ctx: DeliverContext): Promise<BatchOutcome>;
}

export interface BoundRequestHandler {
  receive(request: PlatformRequest, ctx: ReplyContext): Promise<PlatformResponse>;
}

export interface BoundInstallation {
  installationId: string;
  workspaceId: string;
  connectorId: string;
  /** The ticketing target when the connector has one, otherwise its timeline. */
  events: BoundEventTarget | null;
  replies: BoundRequestHandler | null;
  templateTrigger: BoundRequestHandler | null;
  /** Forgets a customer on the platform (`PrivacyTarget`); null when the connector cannot. */
  eraseContact: ((links: readonly ErasureLink[], ctx: { logger: Logger }) => Promise<ErasureOutcome>) | null;
}

export type BindResult = { ok: true; bound: BoundInstallation } | { ok: false; code: 'CONFIG_INVALID' | 'CREDENTIALS_INVALID'; message: string };

/** `phoneNumberId`: the number the installation serves, when its connector scopes it to one. */
export type InstallCheck =
  | { ok: true; config: unknown; credentials: unknown; phoneNumberId: string | undefined }
  | { ok: false; code: 'CONFIG_INVALID' | 'CREDENTIALS_INVALID'; message: string };

/**
 * A connector as the registry holds it, whatever its config types: the definition's schemas
 * parse settings and credentials before any capability sees them.
 */
export interface Connector {
  id: string;
  displayName: string;
  capabilityNames: readonly string[];
  /** See ConnectorDefinition.ownRequestRoutes. */
  ownRequestRoutes: boolean;
  check(config: unknown, credentials: unknown): InstallCheck;
  bind(record: InstallationRecord, logger: Logger): BindResult;
  /** The platform page of a linked record (`ConnectorDefinition.recordUrl`), from the installation's stored settings and opened credentials. */
  recordUrl(record: { accountId: string; settings: unknown; credentials: unknown }, link: RecordLink): string | undefined;
}

function issues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || 'value'}: ${i.message}`).join('; ');
}

/** What parsing an installation needs of a connector's definition. */
export type InstallationSchemas<Config, Credentials> = Pick<ConnectorDefinition<Config, Credentials>, 'displayName' | 'configSchema' | 'credentialsSchema'>;

type SettingsError = { ok: false; code: 'CONFIG_INVALID' | 'CREDENTIALS_INVALID'; message: string };

function parseSettings<Config, Credentials>(
  schemas: InstallationSchemas<Config, Credentials>, config: unknown, credentials: unknown,
): { ok: true; config: Config; credentials: Credentials } | SettingsError {
  const parsedConfig = schemas.configSchema.safeParse(config);
  if (!parsedConfig.success) return { ok: false, code: 'CONFIG_INVALID', message: `${schemas.displayName} settings: ${issues(parsedConfig.error)}` };
  const parsedCredentials = schemas.credentialsSchema.safeParse(credentials);
  if (!parsedCredentials.success) return { ok: false, code: 'CREDENTIALS_INVALID', message: `${schemas.displayName} credentials: ${issues(parsedCredentials.error)}` };
  return { ok: true, config: parsedConfig.data, credentials: parsedCredentials.data };
}

/**
 * An opened installation as a capability sees it: settings and credentials parsed by the connector's
 * schemas, and `updateCredentials` parsing what is stored before `change` sees it and what it returns
 * before it is saved. `bind` uses it; so does a connector's own route that opened an installation.
 */
export function parseInstallation<Config, Credentials>(
  schemas: InstallationSchemas<Config, Credentials>, record: InstallationRecord,
): { ok: true; installation: Installation<Config, Credentials> } | SettingsError {
  const parsed = parseSettings(schemas, record.settings, record.credentials);
  if (!parsed.ok) return parsed;
  const parseCredentials = (value: unknown): Credentials => schemas.credentialsSchema.parse(value);
  return {
    ok: true,
    installation: {
      id: record.id, workspaceId: record.workspaceId, accountId: record.accountId, config: parsed.config, credentials: parsed.credentials,
      updateCredentials: async (change) => parseCredentials(await record.updateCredentials(async (stored) => {
        const next = await change(parseCredentials(stored));
        return next === null ? null : parseCredentials(next);
      })),
      requireReinstall: (reason) => record.requireReinstall(reason),
    },
  };
}

/** Declares a connector: its one definition becomes a registry entry. */
export function defineConnector<Config, Credentials>(definition: ConnectorDefinition<Config, Credentials>): Connector {
  if (!/^[a-z][a-z0-9-]*$/.test(definition.id)) throw new Error(`Connector id ${definition.id} must be kebab-case`);
  const { capabilities } = definition;
  const { privacy } = capabilities;
  const bindTarget = (target: EventTarget<Config, Credentials> | undefined, installation: Installation<Config, Credentials>): BoundEventTarget | null => target
    ? { limits: target.limits(installation.config), deliver: (events, ctx) => target.deliver(installation, events, ctx) }
    : null;
  const bindHandler = (handler: ReplySource<Config, Credentials> | undefined, installation: Installation<Config, Credentials>): BoundRequestHandler | null => handler
    ? { receive: (request, ctx) => handler.receive(installation, request, ctx) }
    : null;
  return {
    id: definition.id,
    displayName: definition.displayName,
    capabilityNames: Object.entries(capabilities).filter(([, c]) => c !== undefined).map(([name]) => name),
    ownRequestRoutes: definition.ownRequestRoutes ?? false,
    check: (config, credentials) => {
      const parsed = parseSettings(definition, config, credentials);
      return parsed.ok ? { ...parsed, phoneNumberId: definition.numberOf?.(parsed.config) } : parsed;
    },
    bind: (record) => {
      const parsed = parseInstallation(definition, record);
      if (!parsed.ok) return parsed;
      const { installation } = parsed;
      return {
        ok: true,
        bound: {
          installationId: record.id,
          workspaceId: record.workspaceId,
          connectorId: definition.id,
          events: bindTarget(capabilities.ticketing ?? capabilities.timeline, installation),
          replies: bindHandler(capabilities.replySource, installation),
          templateTrigger: bindHandler(capabilities.templateTrigger, installation),
          eraseContact: privacy ? (links, ctx) => privacy.eraseContact(installation, links, ctx) : null,
        },
      };
    },
    recordUrl: (record, link) => {
      if (!definition.recordUrl) return undefined;
      const config = definition.configSchema.safeParse(record.settings);
      if (!config.success) return undefined;
      const credentials = record.credentials === null ? undefined : definition.credentialsSchema.safeParse(record.credentials);
      return definition.recordUrl({ accountId: record.accountId, config: config.data, credentials: credentials?.success ? credentials.data : null }, link);
    },
  };
}
