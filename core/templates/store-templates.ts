import { isDeepStrictEqual } from 'node:util';
import type { Db } from '../db/connect';
import type { GraphTemplate } from '../whatsapp/graph-client';

export interface TemplateSyncCounts {
  /** Templates Meta listed for the WABA. */
  listed: number;
  created: number;
  /** Listed and different from what was stored (status, category, components, …). */
  updated: number;
  unchanged: number;
  /** Stored before, no longer listed: now DELETED. */
  deleted: number;
}

interface StoredTemplate {
  name: string;
  language: string;
  meta_template_id: string;
  category: string;
  status: string;
  parameter_format: string;
  components: unknown;
}

/** Rows per INSERT: well under PostgreSQL's 65535 bind parameters at 12 columns a row. */
const UPSERT_CHUNK = 500;

const keyOf = (t: { name: string; language: string }) => `${t.name}\u0000${t.language}`;

/**
 * Replaces the stored copy of one WABA's templates with a complete listing, in one transaction. Only a
 * complete listing may be saved: anything missing from it is marked DELETED.
 *
 * The listing is Meta's state at `now`, so a status that changed gets `status_changed_at = now`: a webhook
 * older than that (e.g. redelivered after an outage) is then recognised as stale and not applied.
 */
export async function saveTemplateListing(db: Db, workspaceId: string, wabaId: string, listing: GraphTemplate[], now: Date): Promise<TemplateSyncCounts> {
  return db.transaction(async (trx) => {
    const stored: StoredTemplate[] = await trx('template')
      .where({ workspace_id: workspaceId, waba_id: wabaId })
      .forUpdate()
      .select('name', 'language', 'meta_template_id', 'category', 'status', 'parameter_format', 'components');
    const before = new Map(stored.map((t) => [keyOf(t), t]));
    const counts: TemplateSyncCounts = { listed: listing.length, created: 0, updated: 0, unchanged: 0, deleted: 0 };
    const seen = new Set<string>();

    const statusChangedRows: Record<string, unknown>[] = [];
    const sameStatusRows: Record<string, unknown>[] = [];
    for (const t of listing) {
      const key = keyOf(t);
      // Graph never lists a name × language twice; if it did, the first one wins rather than failing the sync.
      if (seen.has(key)) continue;
      seen.add(key);
      const old = before.get(key);
      const statusChanged = old?.status !== t.status;
      const same = old !== undefined && !statusChanged && old.meta_template_id === t.id && old.category === t.category
        && old.parameter_format === t.parameterFormat && isDeepStrictEqual(old.components, t.components);
      if (!old) counts.created += 1;
      else if (same) counts.unchanged += 1;
      else counts.updated += 1;
      (statusChanged ? statusChangedRows : sameStatusRows).push({
        workspace_id: workspaceId,
        waba_id: wabaId,
        meta_template_id: t.id,
        name: t.name,
        language: t.language,
        category: t.category,
        status: t.status,
        parameter_format: t.parameterFormat,
        components: JSON.stringify(t.components),
        status_reason: null,
        status_changed_at: now,
        synced_at: now,
      });
    }
    const upsert = async (rows: Record<string, unknown>[], merge: string[]) => {
      for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
        // A template deleted and created again under the same name has a new id: the row takes the new one.
        await trx('template').insert(rows.slice(i, i + UPSERT_CHUNK)).onConflict(['workspace_id', 'waba_id', 'name', 'language']).merge(merge);
      }
    };
    await upsert(statusChangedRows, ['meta_template_id', 'category', 'status', 'parameter_format', 'components', 'status_reason', 'status_changed_at', 'synced_at']);
    // Same status: keep why and since when it is so (a webhook told us; the listing does not say).
    await upsert(sameStatusRows, ['meta_template_id', 'category', 'parameter_format', 'components', 'synced_at']);

    const gone = stored.filter((t) => !seen.has(keyOf(t)) && t.status !== 'DELETED');
    for (const t of gone) {
      await trx('template')
        .where({ workspace_id: workspaceId, waba_id: wabaId, name: t.name, language: t.language })
        .update({ status: 'DELETED', status_reason: 'No longer listed by the WhatsApp Business Account', status_changed_at: now, synced_at: now });
    }
    counts.deleted = gone.length;
    return counts;
  });
}
