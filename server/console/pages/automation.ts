import { Router, type NextFunction, type Request, type Response } from 'express';
import { WEEKDAYS, type BusinessHours, type Weekday } from '../../../core/automation/business-hours';
import { ruleExample } from '../../../core/automation/rule-examples';
import { isRuleKind, ruleKinds, RULE_KINDS, type RuleDefinition, type RuleKind } from '../../../core/automation/rule-kinds';
import { missingRequirement } from '../../../core/automation/rule-requirements';
import { currentRules, ruleHistory, saveRule, type RuleVersion } from '../../../core/automation/rules';
import { listNumbers, type NumberView } from '../../../core/numbers/register-number';
import { badge, dataTable, formProblems, selectField, timeTag } from '../components';
import type { ConsoleDeps } from '../console-deps';
import { redirectWithNotice } from '../console-router';
import { html, type Html } from '../html';
import { consoleLocals, csrfField, sendConsolePage } from '../layout';

/** What each kind is called on the page and what it does, in the README's words. */
const KINDS: Record<RuleKind, { label: string; does: string }> = {
  business_hours: { label: 'Business hours', does: 'Opening hours per number and per team; a message that arrives while closed gets one reply saying when the team is back.' },
  teams: { label: 'Teams', does: 'The teams, and where a conversation routed to one lands on Zendesk, HubSpot and Salesforce.' },
  keyword_routes: { label: 'Keyword routes', does: 'Words that route a new conversation to a team at once ("invoice" to billing).' },
  routing_menu: { label: 'Routing menu', does: 'The menu a new conversation gets, its re-prompts, and the fallback team.' },
  faq: { label: 'FAQ answers', does: 'Questions answered automatically, each answer offering a person.' },
  closing: { label: 'Closing message', does: 'The message a conversation gets when it is closed, inside the 24-hour window.' },
  sla: { label: 'Response targets (SLA)', does: 'First- and next-response targets, per team, in business minutes.' },
  bot: { label: 'Bot', does: 'An external bot that owns conversations until it hands them to a person.' },
  triggers: { label: 'Triggers', does: 'Approved templates a business system sends through POST /api/v1/triggers/:name.' },
  outbound_limits: { label: 'Outbound limits', does: 'Frequency caps and quiet hours for templates nobody typed.' },
  sms_fallback: { label: 'SMS fallback', does: 'An SMS when WhatsApp reports a template undeliverable (needs Twilio).' },
};

const DAY_NAMES: Record<Weekday, string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };

/** Every IANA zone this Node knows; UTC first, as Intl leaves it out. */
const TIME_ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];

// --- Editor drafts: what a form shows, as typed, so a refused form comes back exactly as it was sent. ---

interface Interval { open: string; close: string }

interface HoursDraft {
  timeZone: string;
  weekly: Record<Weekday, Interval[]>;
  /** One holiday a line: `2026-12-25 Christmas`. */
  holidays: string;
  /** One date a line: `2026-12-24 09:00-12:00, 14:00-16:00` or `2026-12-31 closed`. */
  exceptions: string;
  /** Only with the main hours: the auto-reply is the rule's, not a team's. */
  autoReply?: { enabled: boolean; text: string };
}

const TEAM_FIELDS = ['key', 'name', 'zendeskGroupId', 'zendeskTags', 'hubspotOwnerId', 'salesforceQueueId', 'salesforceOwnerId'] as const;
type TeamDraft = Record<(typeof TEAM_FIELDS)[number], string> & { remove: boolean };

type Draft =
  | { editor: 'json'; text: string }
  | { editor: 'hours'; team: string | null; hours: HoursDraft }
  | { editor: 'teams'; rows: TeamDraft[] };

type FormBody = Record<string, unknown>;

/** A form field as one trimmed-free string (urlencoded repeats become arrays; the first counts). */
function field(body: FormBody, name: string): string {
  const value = body[name];
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : '';
}

const blank = (s: string) => s.trim() === '';
const lines = (text: string) => text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');

function hoursDraftOf(hours: BusinessHours, autoReply: RuleDefinition<'business_hours'>['autoReply'] | undefined): HoursDraft {
  return {
    timeZone: hours.timeZone,
    weekly: Object.fromEntries(WEEKDAYS.map((d) => [d, hours.weekly[d].map((i) => ({ ...i }))])) as Record<Weekday, Interval[]>,
    holidays: hours.holidays.map((h) => (h.name ? `${h.date} ${h.name}` : h.date)).join('\n'),
    exceptions: hours.exceptions.map((e) => `${e.date} ${e.intervals.length ? e.intervals.map((i) => `${i.open}-${i.close}`).join(', ') : 'closed'}`).join('\n'),
    ...(autoReply ? { autoReply: { enabled: autoReply.enabled, text: autoReply.text } } : {}),
  };
}

function hoursDraftFromForm(body: FormBody, withAutoReply: boolean): HoursDraft {
  const weekly = Object.fromEntries(WEEKDAYS.map((d) => [d, [] as Interval[]])) as Record<Weekday, Interval[]>;
  for (const name of Object.keys(body)) {
    const m = /^(mon|tue|wed|thu|fri|sat|sun)\.(\d)\.open$/.exec(name);
    if (m) weekly[m[1] as Weekday][Number(m[2])] = { open: field(body, name), close: field(body, `${m[1]}.${m[2]}.close`) };
  }
  for (const day of WEEKDAYS) weekly[day] = Array.from(weekly[day], (i) => i ?? { open: '', close: '' });
  return {
    timeZone: field(body, 'timeZone'), weekly, holidays: field(body, 'holidays'), exceptions: field(body, 'exceptions'),
    ...(withAutoReply ? { autoReply: { enabled: field(body, 'autoReplyEnabled') === 'on', text: field(body, 'autoReplyText') } } : {}),
  };
}

/** The draft as a definition for the schema to judge: nothing is checked here, so every message is the schema's. */
function hoursOfDraft(draft: HoursDraft): Record<string, unknown> {
  const interval = (piece: string): Interval => {
    const [open = '', close = ''] = piece.split(/\s*[-–]\s*/);
    return { open, close };
  };
  return {
    timeZone: draft.timeZone,
    weekly: Object.fromEntries(WEEKDAYS.map((d) => [d, draft.weekly[d].filter((i) => !blank(i.open) || !blank(i.close)).map((i) => ({ open: i.open.trim(), close: i.close.trim() }))])),
    holidays: lines(draft.holidays).map((line) => {
      const [date = '', ...name] = line.split(/\s+/);
      return name.length ? { date, name: name.join(' ') } : { date };
    }),
    exceptions: lines(draft.exceptions).map((line) => {
      const [date = '', ...rest] = line.split(/\s+/);
      const hours = rest.join(' ');
      return { date, intervals: /^(closed)?$/i.test(hours) ? [] : hours.split(/\s*,\s*/).map(interval) };
    }),
  };
}

function teamDraftsOf(definition: RuleDefinition<'teams'> | undefined): TeamDraft[] {
  return (definition?.teams ?? []).map((t) => ({
    key: t.key, name: t.name, zendeskGroupId: t.zendesk?.groupId === undefined ? '' : String(t.zendesk.groupId), zendeskTags: (t.zendesk?.tags ?? []).join(', '),
    hubspotOwnerId: t.hubspot?.ownerId ?? '', salesforceQueueId: t.salesforce?.queueId ?? '', salesforceOwnerId: t.salesforce?.ownerId ?? '', remove: false,
  }));
}

function teamDraftsFromForm(body: FormBody): TeamDraft[] {
  const rows: TeamDraft[] = [];
  for (const name of Object.keys(body)) {
    const m = /^team\.(\d{1,2})\.key$/.exec(name);
    if (!m) continue;
    const at = (f: string) => field(body, `team.${m[1]}.${f}`);
    rows[Number(m[1])] = { ...Object.fromEntries(TEAM_FIELDS.map((f) => [f, at(f)])) as Record<(typeof TEAM_FIELDS)[number], string>, remove: at('remove') === 'on' };
  }
  return rows.filter((r): r is TeamDraft => r !== undefined);
}

/** The rows kept (not removed, not empty), as the schema's input, with a label per row for its problems. */
function teamsOfDraft(rows: TeamDraft[]): { definition: Record<string, unknown>; labels: string[] } {
  const kept = rows.filter((r) => !r.remove && TEAM_FIELDS.some((f) => !blank(r[f])));
  const optional = (s: string) => (blank(s) ? undefined : s.trim());
  const teams = kept.map((r) => {
    const groupId = optional(r.zendeskGroupId);
    const tags = r.zendeskTags.split(/[\s,]+/).filter((t) => t !== '');
    return {
      key: r.key.trim(), name: r.name,
      // Digits become a number; anything else goes as typed, so the schema names the field.
      ...(groupId !== undefined || tags.length ? { zendesk: { ...(groupId === undefined ? {} : { groupId: /^\d+$/.test(groupId) ? Number(groupId) : groupId }), tags } } : {}),
      ...(optional(r.hubspotOwnerId) ? { hubspot: { ownerId: optional(r.hubspotOwnerId) } } : {}),
      ...(optional(r.salesforceQueueId) || optional(r.salesforceOwnerId) ? { salesforce: { queueId: optional(r.salesforceQueueId), ownerId: optional(r.salesforceOwnerId) } } : {}),
    };
  });
  return { definition: { teams }, labels: kept.map((r, i) => `team "${r.key.trim() || r.name.trim() || `row ${i + 1}`}"`) };
}

// --- What a kind's page shows. ---

interface KindState {
  kind: RuleKind;
  numbers: NumberView[];
  /** The scope: a number, or null for the workspace default. */
  number: NumberView | null;
  rules: RuleVersion[];
  /** This scope's own latest version (switched off included). */
  own: RuleVersion | undefined;
  /** For a number without its own: the workspace default's. */
  inherited: RuleVersion | undefined;
  history: RuleVersion[];
}

const numberLabel = (n: NumberView) => `${n.display_phone_number ?? n.phone_number_id}${n.verified_name ? ` (${n.verified_name})` : ''}`;
const scopeLabel = (number: NumberView | null) => (number ? `number ${numberLabel(number)}` : 'the workspace default');
const kindHref = (kind: RuleKind, number: NumberView | null, extra: Record<string, string> = {}) => {
  const query = new URLSearchParams({ ...(number ? { number: number.phone_number_id } : {}), ...extra }).toString();
  return `/admin/automation/${kind}${query ? `?${query}` : ''}`;
};

/** The README's example, if it passes the schema: the starting point of a rule never saved. */
function exampleDefinition<K extends RuleKind>(kind: K): RuleDefinition<K> | undefined {
  const text = ruleExample(kind);
  if (text === undefined) return undefined;
  const parsed = ruleKinds[kind].safeParse(JSON.parse(text));
  return parsed.success ? (parsed.data as RuleDefinition<K>) : undefined;
}

/**
 * What an editor starts from: this scope's latest definition (the last one before it was switched off, so switching
 * back on is one save), else the one it inherits, else the README's example.
 */
function startingDefinition<K extends RuleKind>(state: KindState, kind: K): RuleDefinition<K> | undefined {
  const current = state.history.find((r) => r.definition !== null)?.definition ?? (state.own ? undefined : state.inherited?.definition);
  return (current ?? exampleDefinition(kind)) as RuleDefinition<K> | undefined;
}

/** The team keys a business-hours scope can give hours to: its teams rule's, and any already having hours. */
function teamKeys(state: KindState): string[] {
  const teamsRule = (state.number && state.rules.find((r) => r.kind === 'teams' && r.numberId === state.number?.id)) || state.rules.find((r) => r.kind === 'teams' && r.numberId === null);
  const defined = (teamsRule?.definition as RuleDefinition<'teams'> | null | undefined)?.teams.map((t) => t.key) ?? [];
  const withHours = Object.keys(startingDefinition(state, 'business_hours')?.teams ?? {});
  return [...new Set([...defined, ...withHours])];
}

function hoursDraftFor(state: KindState, team: string | null): HoursDraft | undefined {
  const rule = startingDefinition(state, 'business_hours');
  if (!rule) return undefined;
  // A team without hours of its own starts from the main hours: saving gives it its own.
  return hoursDraftOf((team ? rule.teams[team] : undefined) ?? rule.hours, team ? undefined : rule.autoReply);
}

function stateBadge(rule: RuleVersion | undefined): Html {
  if (!rule) return badge('not set');
  return rule.definition === null ? badge(`v${rule.version} off`, 'warn') : badge(`v${rule.version} on`, 'ok');
}

function inForce(state: KindState): Html {
  const { own, inherited, number } = state;
  const by = (r: RuleVersion) => html`version ${r.version}, saved by ${r.createdBy} at ${timeTag(r.createdAt)}`;
  if (own && own.definition !== null) return html`<p>${stateBadge(own)} ${number ? html`This number's own rule: ` : ''}${by(own)}${number ? '' : '. It applies to every number without a rule of its own.'}</p>`;
  if (own) return html`<p>${stateBadge(own)} Switched off (${by(own)})${number ? ': the workspace default does not apply to this number.' : '.'}</p>`;
  if (inherited && inherited.definition !== null) {
    return html`<p>${stateBadge(inherited)} This number uses <a href="${kindHref(state.kind, null)}">the workspace default</a>: ${by(inherited)}. Saving here gives it a rule of its own.</p>`;
  }
  return html`<p>${badge('not set')} No ${KINDS[state.kind].label.toLowerCase()} rule is in force for ${scopeLabel(number)}.</p>`;
}

function scopeChooser(state: KindState): Html {
  return html`<form method="get" action="/admin/automation/${state.kind}" class="inline" aria-label="Scope">
${selectField({ name: 'number', label: 'Rule for', value: state.number?.phone_number_id ?? '', choices: [{ value: '', label: 'Workspace default (every number)' }, ...state.numbers.map((n) => ({ value: n.phone_number_id, label: `Number ${numberLabel(n)}` }))] })}
<button type="submit" class="secondary">Show</button></form>`;
}

const input = (name: string, value: string, label: string, size = 12, extra: Html = html``) =>
  html`<input type="text" name="${name}" value="${value}" aria-label="${label}" size="${size}"${extra}>`;

function hoursForm(state: KindState, draft: HoursDraft, team: string | null, canEdit: boolean, csrf: Html): Html {
  const columns = Math.max(2, ...WEEKDAYS.map((d) => draft.weekly[d].length));
  const zones = TIME_ZONES.includes(draft.timeZone) || draft.timeZone === '' ? TIME_ZONES : [draft.timeZone, ...TIME_ZONES];
  const slots = Array.from({ length: columns }, (_, i) => i);
  const teams = teamKeys(state);
  return html`${teams.length ? html`<form method="get" action="/admin/automation/business_hours" class="inline" aria-label="Whose hours">
${state.number ? html`<input type="hidden" name="number" value="${state.number.phone_number_id}">` : ''}
${selectField({ name: 'team', label: 'Hours of', value: team ?? '', choices: [{ value: '', label: 'Main hours' }, ...teams.map((t) => ({ value: t, label: `Team ${t}` }))] })}
<button type="submit" class="secondary">Show</button></form>` : ''}
<form method="post" action="/admin/automation/business_hours">${csrf}
<input type="hidden" name="editor" value="hours">
${state.number ? html`<input type="hidden" name="number" value="${state.number.phone_number_id}">` : ''}
${team ? html`<input type="hidden" name="team" value="${team}">` : ''}
<fieldset${canEdit ? '' : html` disabled`}>
<legend>${team ? html`Opening hours of team ${team}` : 'Opening hours'}</legend>
${team && !startingDefinition(state, 'business_hours')?.teams[team] ? html`<p class="muted">Team ${team} keeps the main hours, shown here; saving gives it hours of its own.</p>` : ''}
<p>${selectField({ name: 'timeZone', label: 'Time zone', value: draft.timeZone, choices: zones.map((z) => ({ value: z, label: z })) })}</p>
<table><caption>Weekly hours, as HH:MM in the time zone (24:00 for midnight); leave a day empty when closed</caption>
<thead><tr><th scope="col">Day</th>${slots.map((i) => html`<th scope="col">Opens${columns > 1 ? ` (${i + 1})` : ''}</th><th scope="col">Closes${columns > 1 ? ` (${i + 1})` : ''}</th>`)}</tr></thead>
<tbody>${WEEKDAYS.map((d) => html`<tr><th scope="row">${DAY_NAMES[d]}</th>${slots.map((i) => {
    const interval = draft.weekly[d][i] ?? { open: '', close: '' };
    return html`<td>${input(`${d}.${i}.open`, interval.open, `${DAY_NAMES[d]} opens (${i + 1})`, 5, html` placeholder="HH:MM" inputmode="numeric"`)}</td><td>${input(`${d}.${i}.close`, interval.close, `${DAY_NAMES[d]} closes (${i + 1})`, 5, html` placeholder="HH:MM" inputmode="numeric"`)}</td>`;
  })}</tr>`)}</tbody></table>
<p><label for="holidays">Holidays (closed all day), one a line: <code>2026-12-25 Christmas</code></label>
<textarea id="holidays" name="holidays" rows="3">${draft.holidays}</textarea></p>
<p><label for="exceptions">Other hours on a date, one a line: <code>2026-12-24 09:00-12:00</code> or <code>2026-12-31 closed</code></label>
<textarea id="exceptions" name="exceptions" rows="3">${draft.exceptions}</textarea></p>
${draft.autoReply ? html`<p><label><input type="checkbox" name="autoReplyEnabled"${draft.autoReply.enabled ? html` checked` : ''}> Reply once per closed period</label></p>
<p><label for="autoReplyText">Out-of-hours reply (<code>{{back}}</code> says when the team is back)</label>
<textarea id="autoReplyText" name="autoReplyText" rows="2">${draft.autoReply.text}</textarea></p>` : ''}
${canEdit ? html`<p><button type="submit">Save hours</button>${team && startingDefinition(state, 'business_hours')?.teams[team] ? html` <button type="submit" name="action" value="clear-team" class="secondary">Use the main hours for team ${team}</button>` : ''}</p>` : ''}
</fieldset></form>`;
}

function teamsForm(state: KindState, rows: TeamDraft[], canEdit: boolean, csrf: Html): Html {
  const cells: Array<[(typeof TEAM_FIELDS)[number], string, number]> = [
    ['key', 'Key', 10], ['name', 'Name', 14], ['zendeskGroupId', 'Zendesk group id', 10], ['zendeskTags', 'Zendesk tags', 14],
    ['hubspotOwnerId', 'HubSpot owner id', 10], ['salesforceQueueId', 'Salesforce queue id', 14], ['salesforceOwnerId', 'Salesforce owner id', 14],
  ];
  return html`<form method="post" action="/admin/automation/teams">${csrf}
<input type="hidden" name="editor" value="teams">
${state.number ? html`<input type="hidden" name="number" value="${state.number.phone_number_id}">` : ''}
<fieldset${canEdit ? '' : html` disabled`}><legend>Teams</legend>
<p class="muted">A key is what other rules name (support, billing); fill an empty row to add a team. Zendesk tags are separated by commas.</p>
<table><caption class="visually-hidden">Teams and their place on each platform</caption>
<thead><tr>${cells.map(([, label]) => html`<th scope="col">${label}</th>`)}<th scope="col">Remove</th></tr></thead>
<tbody>${rows.map((row, i) => html`<tr>${cells.map(([name, label, size]) => html`<td>${input(`team.${i}.${name}`, row[name], `${label}, row ${i + 1}`, size)}</td>`)}
<td><input type="checkbox" name="team.${i}.remove" aria-label="Remove row ${i + 1}"${row.remove ? html` checked` : ''}></td></tr>`)}</tbody></table>
${canEdit ? html`<p><button type="submit">Save teams</button></p>` : ''}
</fieldset></form>`;
}

function jsonForm(state: KindState, text: string, canEdit: boolean, csrf: Html): Html {
  const example = ruleExample(state.kind);
  return html`<form method="post" action="/admin/automation/${state.kind}">${csrf}
<input type="hidden" name="editor" value="json">
${state.number ? html`<input type="hidden" name="number" value="${state.number.phone_number_id}">` : ''}
<fieldset${canEdit ? '' : html` disabled`}><legend>Definition as JSON</legend>
<p><label for="definition-json">The rule's definition (checked against its schema when saved; see the README's Automation section)</label>
<textarea id="definition-json" name="json" rows="14" spellcheck="false">${text}</textarea></p>
${canEdit ? html`<p><button type="submit">Save ${KINDS[state.kind].label.toLowerCase()}</button>
${example ? html` <a class="button secondary" href="${kindHref(state.kind, state.number, { example: '1' })}">Start from the README example</a>` : ''}</p>` : ''}
</fieldset></form>`;
}

function historyTable(state: KindState): Html {
  return dataTable({
    caption: `Versions of ${KINDS[state.kind].label} for ${scopeLabel(state.number)}, newest first`,
    rows: state.history,
    empty: `Never saved for ${scopeLabel(state.number)}.`,
    columns: [
      { label: 'Version', numeric: true, cell: (r) => r.version },
      { label: 'State', cell: (r) => (r.definition === null ? badge('off', 'warn') : badge('on', 'ok')) },
      { label: 'Saved by', cell: (r) => r.createdBy },
      { label: 'Saved at', cell: (r) => timeTag(r.createdAt) },
      { label: 'Definition', cell: (r) => (r.definition === null ? html`<span class="muted">switched off</span>` : html`<details><summary>Version ${r.version}</summary><pre>${JSON.stringify(r.definition, null, 2)}</pre></details>`) },
    ],
  });
}

const emptyTeamRow = (): TeamDraft => ({ ...Object.fromEntries(TEAM_FIELDS.map((f) => [f, ''])) as Record<(typeof TEAM_FIELDS)[number], string>, remove: false });

function kindPage(res: Response, state: KindState, options: { draft?: Draft; problems?: string[]; example?: boolean; team?: string | null; status?: number }): void {
  const { session } = consoleLocals(res);
  const canEdit = session.role === 'admin';
  const csrf = csrfField(session);
  const { kind, number } = state;
  const problems = options.problems ?? [];
  const failed = (editor: Draft['editor']) => (options.draft?.editor === editor ? formProblems(problems) : html``);
  const starting = startingDefinition(state, kind);
  const jsonText = options.draft?.editor === 'json' ? options.draft.text
    : options.example ? ruleExample(kind) ?? '{}'
    : JSON.stringify(starting ?? {}, null, 2);
  const team = options.draft?.editor === 'hours' ? options.draft.team : options.team ?? null;
  const hours = options.draft?.editor === 'hours' ? options.draft.hours : kind === 'business_hours' ? hoursDraftFor(state, team) : undefined;
  const rows = options.draft?.editor === 'teams' ? options.draft.rows : [...teamDraftsOf(kind === 'teams' ? startingDefinition(state, 'teams') : undefined), ...[0, 1].map(() => emptyTeamRow())];
  const structured = kind === 'business_hours' || kind === 'teams';
  // A number inheriting the default can opt out of it: its own version, switched off.
  const switchable = state.own ? state.own.definition !== null : Boolean(state.inherited?.definition);

  sendConsolePage(res, {
    title: `Automation: ${KINDS[kind].label}`,
    section: 'automation',
    status: options.status,
    body: html`<p><a href="/admin/automation">All automation rules</a></p>
<p>${KINDS[kind].does}</p>
${scopeChooser(state)}
<h2>In force for ${scopeLabel(number)}</h2>
${inForce(state)}
${canEdit && switchable ? html`<form method="post" action="/admin/automation/${kind}/off" class="inline">${csrf}
${number ? html`<input type="hidden" name="number" value="${number.phone_number_id}">` : ''}
<button type="submit" class="danger">Switch off for ${scopeLabel(number)}</button></form>` : ''}
<h2>${canEdit ? 'Edit' : 'Definition'}</h2>
${canEdit ? '' : html`<p class="notice">You are signed in as a viewer: rules are shown read-only. Ask an admin of this workspace to change them.</p>`}
${kind === 'business_hours' && hours ? html`${failed('hours')}${hoursForm(state, hours, team, canEdit, csrf)}` : ''}
${kind === 'teams' ? html`${failed('teams')}${teamsForm(state, rows, canEdit, csrf)}` : ''}
${structured ? html`<details${options.draft?.editor === 'json' || options.example ? html` open` : ''}><summary>Edit as JSON</summary>${failed('json')}${jsonForm(state, jsonText, canEdit, csrf)}</details>` : html`${failed('json')}${jsonForm(state, jsonText, canEdit, csrf)}`}
<h2>History</h2>
${historyTable(state)}`,
  });
}

/**
 * /admin/automation: the rules in force per kind and scope, each kind's history and an editor (real forms for
 * business hours and teams, JSON checked by the kind's schema for the rest). Saving goes through saveRule, as the
 * admin API does: validated, versioned, audited with the signed-in actor, the rule cache forgotten.
 */
export function automationPage(deps: ConsoleDeps): Router {
  const router = Router();
  const env = { smsConfigured: Boolean(deps.config.twilio) };

  /** The kind and scope a request names, or undefined when either is not this workspace's (then 404). */
  const load = async (req: Request, res: Response, number: string): Promise<KindState | undefined> => {
    const kind = String(req.params.kind);
    if (!isRuleKind(kind)) return undefined;
    const ws = consoleLocals(res).session.workspaceId;
    const numbers = await listNumbers(deps.db, ws);
    const scoped = number === '' ? null : numbers.find((n) => n.phone_number_id === number);
    if (scoped === undefined) return undefined;
    const [rules, history] = await Promise.all([currentRules(deps.db, ws), ruleHistory(deps.db, ws, scoped?.id ?? null, kind)]);
    const own = rules.find((r) => r.kind === kind && r.numberId === (scoped?.id ?? null));
    const inherited = scoped ? rules.find((r) => r.kind === kind && r.numberId === null) : undefined;
    return { kind, numbers, number: scoped, rules, own, inherited, history };
  };

  router.get('/admin/automation', async (_req, res) => {
    const ws = consoleLocals(res).session.workspaceId;
    const [rules, numbers] = await Promise.all([currentRules(deps.db, ws), listNumbers(deps.db, ws)]);
    const byId = new Map(numbers.map((n) => [n.id, n]));
    sendConsolePage(res, {
      title: 'Automation',
      section: 'automation',
      body: html`<p>Rules are data: each save is a new version, for the workspace (every number) or for one number (overriding the default). Message templates are on the <a href="/admin/templates">Templates</a> page.</p>
${dataTable({
    caption: 'Automation rules and what is in force',
    rows: RULE_KINDS,
    empty: '',
    columns: [
      { label: 'Rule', cell: (k) => html`<a href="/admin/automation/${k}">${KINDS[k].label}</a>` },
      { label: 'What it does', cell: (k) => KINDS[k].does },
      { label: 'Workspace default', cell: (k) => stateBadge(rules.find((r) => r.kind === k && r.numberId === null)) },
      {
        label: 'Numbers with their own',
        cell: (k) => {
          const own = rules.filter((r) => r.kind === k && r.numberId !== null).flatMap((r) => {
            const n = r.numberId === null ? undefined : byId.get(r.numberId);
            return n ? [html`<li><a href="${kindHref(k, n)}">${numberLabel(n)}</a> ${stateBadge(r)}</li>`] : [];
          });
          return own.length ? html`<ul>${own}</ul>` : html`<span class="muted">none</span>`;
        },
      },
      {
        label: 'Last change',
        cell: (k) => {
          const latest = rules.filter((r) => r.kind === k).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
          return latest ? html`${timeTag(latest.createdAt)} by ${latest.createdBy}` : html`<span class="muted">–</span>`;
        },
      },
    ],
  })}`,
    });
  });

  router.get('/admin/automation/:kind', async (req, res, next: NextFunction) => {
    const state = await load(req, res, typeof req.query.number === 'string' ? req.query.number : '');
    if (!state) return next();
    const team = typeof req.query.team === 'string' && req.query.team !== '' ? req.query.team : null;
    if (team !== null && (state.kind !== 'business_hours' || !teamKeys(state).includes(team))) return next();
    kindPage(res, state, { example: req.query.example === '1', team });
  });

  router.post('/admin/automation/:kind', async (req, res, next: NextFunction) => {
    const body = (req.body ?? {}) as FormBody;
    const state = await load(req, res, field(body, 'number'));
    if (!state) return next();
    const { kind } = state;
    const editor = field(body, 'editor');
    let draft: Draft;
    let definition: unknown;
    let relabel = (issue: string) => issue;
    if (editor === 'hours' && kind === 'business_hours') {
      const team = field(body, 'team') || null;
      if (team !== null && !teamKeys(state).includes(team)) return next();
      const hours = hoursDraftFromForm(body, team === null);
      draft = { editor: 'hours', team, hours };
      const base = startingDefinition(state, 'business_hours');
      if (team === null) {
        definition = { ...base, hours: hoursOfDraft(hours), autoReply: hours.autoReply };
      } else {
        const teams: Record<string, unknown> = { ...base?.teams };
        if (field(body, 'action') === 'clear-team') delete teams[team];
        else teams[team] = hoursOfDraft(hours);
        // A team's hours without main hours would leave the rule invalid: the main hours start as the team's.
        definition = { ...base, hours: base?.hours ?? hoursOfDraft(hours), teams };
      }
    } else if (editor === 'teams' && kind === 'teams') {
      const rows = teamDraftsFromForm(body);
      draft = { editor: 'teams', rows };
      const parsed = teamsOfDraft(rows);
      definition = parsed.definition;
      relabel = (issue) => issue.replace(/^definition\.teams\.(\d+)/, (whole, i: string) => parsed.labels[Number(i)] ?? whole);
    } else {
      const text = field(body, 'json');
      draft = { editor: 'json', text };
      try {
        definition = JSON.parse(text);
      } catch (err) {
        kindPage(res, state, { draft, problems: [`JSON: ${(err as Error).message}. Check the quotes, commas and brackets.`], status: 400 });
        return;
      }
    }
    const missing = missingRequirement(kind, env);
    const result = missing ? { ok: false as const, issues: [missing] }
      : await saveRule(deps.db, { workspaceId: consoleLocals(res).session.workspaceId, numberId: state.number?.id ?? null, kind, definition, actor: consoleLocals(res).session.actor });
    if (!result.ok) {
      kindPage(res, state, { draft, problems: result.issues.map(relabel), status: 400 });
      return;
    }
    const team: Record<string, string> = draft.editor === 'hours' && draft.team && field(body, 'action') !== 'clear-team' ? { team: draft.team } : {};
    await redirectWithNotice(deps.db, res, kindHref(kind, state.number, team), { kind: 'success', text: `Saved ${KINDS[kind].label.toLowerCase()} version ${result.rule.version} for ${scopeLabel(state.number)}.` });
  });

  router.post('/admin/automation/:kind/off', async (req, res, next: NextFunction) => {
    const state = await load(req, res, field((req.body ?? {}) as FormBody, 'number'));
    if (!state) return next();
    const session = consoleLocals(res).session;
    const result = await saveRule(deps.db, { workspaceId: session.workspaceId, numberId: state.number?.id ?? null, kind: state.kind, definition: null, actor: session.actor });
    const text = result.ok ? `Switched ${KINDS[state.kind].label.toLowerCase()} off for ${scopeLabel(state.number)} (version ${result.rule.version}).` : result.issues.join('; ');
    await redirectWithNotice(deps.db, res, kindHref(state.kind, state.number), { kind: result.ok ? 'success' : 'error', text });
  });

  return router;
}
