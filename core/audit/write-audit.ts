import type { Knex } from 'knex';

export interface AuditEntry {
  workspaceId: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  data?: Record<string, unknown>;
}

/** Who changed what. Written in the same transaction as the change it records. */
export async function writeAudit(db: Knex | Knex.Transaction, entry: AuditEntry): Promise<void> {
  await db('audit_log').insert({
    workspace_id: entry.workspaceId,
    actor: entry.actor,
    action: entry.action,
    entity_type: entry.entityType,
    entity_id: entry.entityId,
    data: JSON.stringify(entry.data ?? {}),
  });
}
