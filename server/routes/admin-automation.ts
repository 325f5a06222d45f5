import express, { Router, type Response } from 'express';
import { z } from 'zod';
import { missingRequirement } from '../../core/automation/rule-requirements';
import { isRuleKind, RULE_KINDS, type RuleKind } from '../../core/automation/rule-kinds';
import { currentRules, ruleHistory, saveRule, type RuleVersion } from '../../core/automation/rules';
import type { Db } from '../../core/db/connect';
import { parseRequest } from '../admin/parse-request';
import { requireAdminToken } from '../admin/require-admin-token';
import { sendError } from '../http-errors';
import { refuseInvalidUtf8 } from '../../core/db/storable-text';

export interface AdminAutomationDeps {
  db: Db;
  adminToken: string;
  workspaceId: string;
  /** Whether an SMS transport (Twilio) is configured: an sms_fallback rule is refused without one. */
  smsConfigured: boolean;
}

const phoneNumberId = z.string().regex(/^\d{5,20}$/, 'must be a numeric Phone number ID; leave it out for the workspace default');
export const scopeQuery = z.object({ phone_number_id: phoneNumberId.optional() });
export const saveBody = z.object({ phone_number_id: phoneNumberId.optional(), definition: z.unknown() }).strict();

/**
 * Automation rules as data (issue 7): `GET /api/v1/automation/rules` (the version in force of each), `GET
 * …/:kind/versions` (its history), `PUT …/:kind` (a new version, validated, audited), `DELETE …/:kind` (a version
 * switching it off). `phone_number_id` scopes a rule to one number; without it the rule is the workspace default.
 */
export function adminAutomationRoutes(deps: AdminAutomationDeps): Router {
  const router = Router();
  const ws = deps.workspaceId;
  router.use('/api/v1/automation', requireAdminToken(deps.adminToken), express.json({ limit: '64kb', verify: refuseInvalidUtf8 }));

  /** The number row of a Phone number ID, null for the default, or undefined after answering 404. */
  const numberOf = async (res: Response, id: string | undefined): Promise<{ id: string; phoneNumberId: string } | null | undefined> => {
    if (id === undefined) return null;
    const row: { id: string } | undefined = await deps.db('whatsapp_number').where({ workspace_id: ws, phone_number_id: id }).first('id');
    if (!row) sendError(res, 404, 'NUMBER_NOT_FOUND', `No WhatsApp number ${id} in this workspace (see GET /api/v1/numbers)`);
    return row ? { id: row.id, phoneNumberId: id } : undefined;
  };
  const kindOf = (res: Response, kind: string): RuleKind | undefined => {
    if (isRuleKind(kind)) return kind;
    sendError(res, 404, 'UNKNOWN_RULE_KIND', `There is no automation rule "${kind}"; the kinds are: ${RULE_KINDS.join(', ')}`);
    return undefined;
  };
  const phoneNumbers = async () => new Map((await deps.db('whatsapp_number').where({ workspace_id: ws }).select('id', 'phone_number_id') as Array<{ id: string; phone_number_id: string }>)
    .map((n) => [n.id, n.phone_number_id]));
  const view = (rule: RuleVersion, numbers: Map<string, string>) => ({
    kind: rule.kind, phone_number_id: rule.numberId === null ? null : numbers.get(rule.numberId) ?? null, version: rule.version,
    enabled: rule.definition !== null, definition: rule.definition, created_by: rule.createdBy, created_at: rule.createdAt.toISOString(),
  });

  router.get('/api/v1/automation/rules', async (_req, res) => {
    const [rules, numbers] = await Promise.all([currentRules(deps.db, ws), phoneNumbers()]);
    res.json({ items: rules.map((r) => view(r, numbers)), kinds: RULE_KINDS });
  });

  router.get('/api/v1/automation/rules/:kind/versions', async (req, res) => {
    const kind = kindOf(res, req.params.kind);
    const query = kind && parseRequest(scopeQuery, req.query, res);
    const number = query && await numberOf(res, query.phone_number_id);
    if (!kind || number === undefined) return;
    const numbers = await phoneNumbers();
    res.json({ items: (await ruleHistory(deps.db, ws, number?.id ?? null, kind)).map((r) => view(r, numbers)) });
  });

  const save = async (res: Response, kind: RuleKind, phone: string | undefined, definition: unknown, created: (isNew: boolean) => number) => {
    const number = await numberOf(res, phone);
    if (number === undefined) return;
    const result = await saveRule(deps.db, { workspaceId: ws, numberId: number?.id ?? null, kind, definition, actor: 'admin' });
    if (!result.ok) {
      sendError(res, 400, 'INVALID_RULE', result.issues.join('; '), { issues: result.issues });
      return;
    }
    res.status(created(result.rule.version === 1)).json(view(result.rule, await phoneNumbers()));
  };

  router.put('/api/v1/automation/rules/:kind', async (req, res) => {
    const kind = kindOf(res, req.params.kind);
    const body = kind && parseRequest(saveBody, req.body, res);
    if (!kind || !body) return;
    if (body.definition === undefined || body.definition === null) {
      sendError(res, 400, 'INVALID_RULE', 'definition: required (to switch the rule off, DELETE it)');
      return;
    }
    const missing = missingRequirement(kind, { smsConfigured: deps.smsConfigured });
    if (missing) {
      sendError(res, 400, 'INVALID_RULE', missing);
      return;
    }
    await save(res, kind, body.phone_number_id, body.definition, (isNew) => (isNew ? 201 : 200));
  });

  router.delete('/api/v1/automation/rules/:kind', async (req, res) => {
    const kind = kindOf(res, req.params.kind);
    const query = kind && parseRequest(scopeQuery, req.query, res);
    if (!kind || !query) return;
    await save(res, kind, query.phone_number_id, null, () => 200);
  });

  return router;
}
