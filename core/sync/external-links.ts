import type { Knex } from 'knex';
import type { ExternalLinkWrite } from '../connectors';
import type { LinkMap } from './outbox-row';

/** What the platform returned earlier for these conversations and messages, keyed `type:id`. */
export async function loadLinks(db: Knex, workspaceId: string, installationId: string, entityIds: readonly string[]): Promise<LinkMap> {
  const links: LinkMap = new Map();
  if (entityIds.length === 0) return links;
  const rows: { entity_type: string; entity_id: string; external_type: string; external_id: string }[] = await db('external_link')
    .where({ workspace_id: workspaceId, installation_id: installationId })
    .whereIn('entity_id', [...new Set(entityIds)])
    .select('entity_type', 'entity_id', 'external_type', 'external_id');
  for (const row of rows) {
    const key = `${row.entity_type}:${row.entity_id}`;
    links.set(key, { ...links.get(key), [row.external_type]: row.external_id });
  }
  return links;
}

/** Keeps what the platform returned; the last write of a batch wins for the same entity and type. */
export async function saveLinks(db: Knex, workspaceId: string, installationId: string, writes: readonly ExternalLinkWrite[]): Promise<void> {
  const unique = new Map<string, ExternalLinkWrite>();
  for (const w of writes) unique.set(`${w.entityType}:${w.entityId}:${w.externalType}`, w);
  if (unique.size === 0) return;
  await db('external_link')
    .insert([...unique.values()].map((w) => ({
      workspace_id: workspaceId, installation_id: installationId, entity_type: w.entityType, entity_id: w.entityId, external_type: w.externalType, external_id: w.externalId,
    })))
    .onConflict(['installation_id', 'entity_type', 'entity_id', 'external_type'])
    .merge(['external_id']);
}

/**
 * The entity a platform's record stands for, through any of these installations (an external id is
 * unique per installation only, so the caller names the ones that may own it): null when none links it.
 */
export async function findLinkedEntity(
  db: Knex, workspaceId: string, installationIds: readonly string[], link: { entityType: ExternalLinkWrite['entityType']; externalType: string; externalId: string },
): Promise<{ entityId: string; installationId: string } | null> {
  if (installationIds.length === 0) return null;
  const row: { entity_id: string; installation_id: string } | undefined = await db('external_link')
    .where({ workspace_id: workspaceId, entity_type: link.entityType, external_type: link.externalType, external_id: link.externalId })
    .whereIn('installation_id', [...installationIds])
    .first('entity_id', 'installation_id');
  return row ? { entityId: row.entity_id, installationId: row.installation_id } : null;
}
