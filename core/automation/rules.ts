import type { Knex } from 'knex';
import { writeAudit } from '../audit/write-audit';
import { ruleKinds, teamsNamedBy, type RuleDefinition, type RuleKind } from './rule-kinds';

/** One version of a rule; a null definition is the version that switched it off. */
export interface RuleVersion<K extends RuleKind = RuleKind> {
  id: string;
  kind: K;
  /** The whatsapp_number row id, or null for the workspace's default. */
  numberId: string | null;
  version: number;
  definition: RuleDefinition<K> | null;
  createdBy: string;
  createdAt: Date;
}

interface RuleRow {
  id: string;
  kind: string;
  whatsapp_number_id: string | null;
  version: number;
  definition: unknown;
  created_by: string;
  created_at: Date;
}

export type SaveRuleResult<K extends RuleKind> =
  | { ok: true; rule: RuleVersion<K> }
  | { ok: false; issues: string[] };

function versionOf<K extends RuleKind>(kind: K, row: RuleRow): RuleVersion<K> {
  return {
    id: row.id, kind, numberId: row.whatsapp_number_id, version: row.version, createdBy: row.created_by, createdAt: row.created_at,
    // Stored definitions passed the schema when saved; parsing again fills defaults added since.
    definition: row.definition === null ? null : (ruleKinds[kind].parse(row.definition) as RuleDefinition<K>),
  };
}

const scope = (q: Knex.QueryBuilder, numberId: string | null) => (numberId === null ? q.whereNull('whatsapp_number_id') : q.where('whatsapp_number_id', numberId));

/**
 * Saves a new version of a rule (`definition` null switches it off), audited in the same transaction. Versions
 * of one rule are numbered one at a time under an advisory lock, so two admins saving at once get 7 and 8.
 */
export async function saveRule<K extends RuleKind>(
  db: Knex, input: { workspaceId: string; numberId: string | null; kind: K; definition: unknown; actor: string },
): Promise<SaveRuleResult<K>> {
  let definition: RuleDefinition<K> | null = null;
  if (input.definition !== null) {
    const parsed = ruleKinds[input.kind].safeParse(input.definition);
    if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => `definition.${i.path.map(String).join('.')}: ${i.message}`.replace(/\.: /, ': ')) };
    definition = parsed.data as RuleDefinition<K>;
    const missing = await undefinedTeams(db, input.workspaceId, input.numberId, teamsNamedBy(input.kind, definition));
    if (missing.length) return { ok: false, issues: missing.map((key) => `definition: team "${key}" is not in the teams rule (save it first: PUT /api/v1/automation/rules/teams)`) };
  }
  const saved = await db.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`automation_rule:${input.workspaceId}:${input.kind}:${input.numberId ?? 'default'}`]);
    const latest: { version: number } | undefined = await scope(trx('automation_rule').where({ workspace_id: input.workspaceId, kind: input.kind }), input.numberId)
      .orderBy('version', 'desc').first('version');
    const [row]: RuleRow[] = await trx('automation_rule').insert({
      workspace_id: input.workspaceId, whatsapp_number_id: input.numberId, kind: input.kind, version: (latest?.version ?? 0) + 1,
      definition: definition === null ? null : JSON.stringify(definition), created_by: input.actor,
    }).returning('*');
    if (!row) throw new Error('automation rule not inserted');
    await writeAudit(trx, {
      workspaceId: input.workspaceId, actor: input.actor, action: definition === null ? 'automation.rule_disabled' : 'automation.rule_saved',
      entityType: 'automation_rule', entityId: row.id, data: { kind: input.kind, numberId: input.numberId, version: row.version },
    });
    return row;
  });
  forgetCachedRules(input.workspaceId);
  return { ok: true, rule: versionOf(input.kind, saved) };
}

/** Keys not defined by the teams rule in force for this scope (the number's own, else the workspace default). */
async function undefinedTeams(db: Knex, workspaceId: string, numberId: string | null, keys: readonly string[]): Promise<string[]> {
  if (!keys.length) return [];
  const rules = await currentRules(db, workspaceId);
  const teams = (rules.find((r) => r.kind === 'teams' && r.numberId === numberId && numberId !== null) ?? rules.find((r) => r.kind === 'teams' && r.numberId === null))
    ?.definition as RuleDefinition<'teams'> | null | undefined;
  const known = new Set(teams?.teams.map((t) => t.key) ?? []);
  return [...new Set(keys)].filter((key) => !known.has(key));
}

/** Every version of one rule, newest first. */
export async function ruleHistory<K extends RuleKind>(db: Knex, workspaceId: string, numberId: string | null, kind: K): Promise<Array<RuleVersion<K>>> {
  const rows: RuleRow[] = await scope(db('automation_rule').where({ workspace_id: workspaceId, kind }), numberId).orderBy('version', 'desc');
  return rows.map((row) => versionOf(kind, row));
}

/** The latest version of every rule of the workspace (switched-off ones included, with a null definition). */
export async function currentRules(db: Knex, workspaceId: string): Promise<RuleVersion[]> {
  const rows: RuleRow[] = await db('automation_rule').distinctOn('kind', 'whatsapp_number_id')
    .where({ workspace_id: workspaceId }).orderBy([{ column: 'kind' }, { column: 'whatsapp_number_id' }, { column: 'version', order: 'desc' }]);
  return rows.flatMap((row) => (Object.hasOwn(ruleKinds, row.kind) ? [versionOf(row.kind as RuleKind, row)] : []));
}

/**
 * The rule in force for a number: its own latest version if it has one (switched off included: a number can opt
 * out of the workspace default), else the workspace default's; undefined when neither is on.
 */
export async function ruleInForce<K extends RuleKind>(db: Knex, workspaceId: string, numberId: string, kind: K): Promise<RuleDefinition<K> | undefined> {
  const rules = await cachedRules(db, workspaceId);
  const own = rules.find((r) => r.kind === kind && r.numberId === numberId);
  const chosen = own ?? rules.find((r) => r.kind === kind && r.numberId === null);
  return (chosen?.definition ?? undefined) as RuleDefinition<K> | undefined;
}

/** True when any rule is on for the number: the engine enqueues no automation job for numbers without one. */
export async function hasRulesInForce(db: Knex, workspaceId: string, numberId: string): Promise<boolean> {
  const rules = await cachedRules(db, workspaceId);
  const kinds = new Set(rules.map((r) => r.kind));
  for (const kind of kinds) if ((await ruleInForce(db, workspaceId, numberId, kind)) !== undefined) return true;
  return false;
}

const MAX_AGE_MS = 30_000;
const cache = new Map<string, { rules: RuleVersion[]; loadedAt: number }>();

/** Rules change rarely and every inbound message asks: a per-process cache; another process's change is seen within 30 s. */
async function cachedRules(db: Knex, workspaceId: string): Promise<RuleVersion[]> {
  const hit = cache.get(workspaceId);
  if (hit && Date.now() - hit.loadedAt < MAX_AGE_MS) return hit.rules;
  const rules = await currentRules(db, workspaceId);
  cache.set(workspaceId, { rules, loadedAt: Date.now() });
  return rules;
}

export function forgetCachedRules(workspaceId: string): void {
  cache.delete(workspaceId);
}
