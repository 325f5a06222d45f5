import type { Db } from '../db/connect';

/** The statuses Meta gives templates (§6.2), offered as filters even before any template has them. */
const KNOWN_STATUSES = ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED', 'DELETED'];

export interface TemplateFacets {
  languages: string[];
  statuses: string[];
}

/** The values a workspace's template list can be filtered by: the languages stored, every status. */
export async function templateFacets(db: Db, workspaceId: string): Promise<TemplateFacets> {
  const [languages, statuses] = await Promise.all([
    db('template').where({ workspace_id: workspaceId }).distinct('language').orderBy('language') as Promise<Array<{ language: string }>>,
    db('template').where({ workspace_id: workspaceId }).distinct('status').orderBy('status') as Promise<Array<{ status: string }>>,
  ]);
  return {
    languages: languages.map((l) => l.language),
    statuses: [...new Set([...KNOWN_STATUSES, ...statuses.map((s) => s.status)])],
  };
}
