import type { Knex } from 'knex';

export interface CsatSummary {
  responses: number;
  /** Mean score to two decimals; null without answers. */
  average: number | null;
  /** Answers per score, every score 1–5 present. */
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>;
}

/** The CSAT answers of a workspace answered in [from, to), optionally of one number's or one routed team's conversations. */
export async function csatSummary(db: Knex, workspaceId: string, range: { from: Date; to: Date; numberId?: string | undefined; team?: string | undefined }): Promise<CsatSummary> {
  const query = db('csat_response as a')
    .where({ 'a.workspace_id': workspaceId }).where('a.answered_at', '>=', range.from).where('a.answered_at', '<', range.to);
  if (range.numberId !== undefined || range.team !== undefined) {
    query.join('conversation as c', 'c.id', 'a.conversation_id');
    if (range.numberId !== undefined) query.where('c.whatsapp_number_id', range.numberId);
    if (range.team !== undefined) query.join('conversation_routing as r', 'r.conversation_id', 'c.id').where('r.team', range.team);
  }
  const rows: Array<{ score: number; count: string }> = await query.groupBy('a.score').select('a.score', db.raw('count(*) as count'));
  const distribution: CsatSummary['distribution'] = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 };
  for (const row of rows) distribution[String(row.score) as keyof CsatSummary['distribution']] = Number(row.count);
  const responses = rows.reduce((sum, row) => sum + Number(row.count), 0);
  const total = rows.reduce((sum, row) => sum + row.score * Number(row.count), 0);
  return { responses, average: responses ? Math.round((total / responses) * 100) / 100 : null, distribution };
}
