import { Router, type Response } from 'express';
import { z } from 'zod';
import { connectNumber } from '../../../core/numbers/connect-number';
import { completeEmbeddedSignup } from '../../../core/numbers/embedded-signup';
import { checkNumberHealth, type NumberHealthDeps } from '../../../core/numbers/number-health';
import { listNumbers, type NumberView } from '../../../core/numbers/register-number';
import { registerNumberBody } from '../../admin/admin-schemas';
import type { ConsoleDeps } from '../console-deps';
import { redirectWithNotice } from '../console-router';
import { badge, dataTable, formProblems, parseForm, timeTag, type BadgeTone } from '../components';
import { html, jsonForScript, type Html } from '../html';
import { consoleLocals, CONSOLE_CSP, csrfField, extendCsp, sendConsolePage } from '../layout';
import { numberRefusalStatus } from '../../http-errors';

const manualForm = registerNumberBody.pick({ phone_number_id: true, waba_id: true, access_token: true }).extend({ csrf: z.string() });

const signupBody = z.object({
  code: z.string().min(1, 'must be the code Facebook Login returned').max(2048),
  waba_id: registerNumberBody.shape.waba_id,
  phone_number_id: registerNumberBody.shape.phone_number_id,
  pin: z.string().regex(/^\d{6}$/, 'must be the 6-digit two-step verification PIN').optional(),
}).strict();

const idParam = z.object({ id: z.uuid() });

// Meta's JavaScript SDK, and the facebook.com frames and calls it makes, on this page only.
const META_SDK_CSP = extendCsp(CONSOLE_CSP, {
  'script-src': ['https://connect.facebook.net'],
  'frame-src': ['https://*.facebook.com'],
  'connect-src': ['https://*.facebook.com'],
  'img-src': ['https://*.facebook.com'],
});

interface ManualFormState {
  values: { phone_number_id?: string; waba_id?: string };
  problems: string[];
}

/** `/admin/numbers`: the workspace's WhatsApp numbers with their health, and the two ways to connect one. */
export function numbersPage(deps: ConsoleDeps): Router {
  const router = Router();
  const healthDeps: NumberHealthDeps = { db: deps.db, graph: deps.graph, secrets: deps.secrets, metaAppId: deps.config.metaAppId };
  const { metaAppId, embeddedSignupConfigId } = deps.config;
  const signup = metaAppId !== undefined && embeddedSignupConfigId !== undefined ? { appId: metaAppId, configId: embeddedSignupConfigId } : undefined;

  async function render(res: Response, form: ManualFormState, status = 200): Promise<void> {
    const { session } = consoleLocals(res);
    const numbers = await listNumbers(deps.db, session.workspaceId);
    const admin = session.role === 'admin';
    sendConsolePage(res, {
      title: 'WhatsApp numbers',
      section: 'numbers',
      status,
      scripts: signup && admin ? ['numbers.js'] : [],
      csp: signup && admin ? META_SDK_CSP : undefined,
      body: html`
<section aria-labelledby="connected"><h2 id="connected">Connected numbers</h2>
${numbersTable(numbers, admin ? csrfField(session) : undefined)}
</section>
<section aria-labelledby="connect"><h2 id="connect">Connect a number</h2>
${admin ? html`${signupSection(signup, deps.config.whatsappApiVersion)}${manualSection(form, csrfField(session))}` : html`<p class="muted">Only an admin of this workspace can connect numbers.</p>`}
</section>`,
    });
  }

  router.get('/admin/numbers', async (_req, res) => {
    await render(res, { values: {}, problems: [] });
  });

  router.post('/admin/numbers', async (req, res) => {
    const { session } = consoleLocals(res);
    const body = req.body as Record<string, unknown>;
    // Kept for the form on a refusal; the token never goes back to the browser.
    const values = { phone_number_id: typeof body.phone_number_id === 'string' ? body.phone_number_id : undefined, waba_id: typeof body.waba_id === 'string' ? body.waba_id : undefined };
    const form = parseForm(manualForm, body);
    if (!form.ok) {
      await render(res, { values, problems: form.problems }, 400);
      return;
    }
    const result = await connectNumber(deps, session.workspaceId, { phoneNumberId: form.data.phone_number_id, wabaId: form.data.waba_id, accessToken: form.data.access_token }, session.actor);
    if (!result.ok) {
      await render(res, { values, problems: [`${result.error.message} (${result.error.code})`] }, numberRefusalStatus(result.error.code));
      return;
    }
    await checkNumberHealth(healthDeps, session.workspaceId, result.number.id);
    await redirectWithNotice(deps.db, res, '/admin/numbers', { kind: 'success', text: `${result.created ? 'Connected' : 'Updated'} ${numberName(result.number)}.` });
  });

  router.post('/admin/numbers/:id/health', async (req, res, next) => {
    const { session } = consoleLocals(res);
    const params = idParam.safeParse(req.params);
    const number = params.success ? await checkNumberHealth(healthDeps, session.workspaceId, params.data.id) : null;
    if (!number) {
      next(); // the console's 404: not a number of this workspace
      return;
    }
    const text = number.health_problem ? `Checked ${numberName(number)}, with a problem: ${number.health_problem}` : `Checked ${numberName(number)}.`;
    await redirectWithNotice(deps.db, res, '/admin/numbers', { kind: number.health_problem ? 'error' : 'success', text });
  });

  // Called by numbers.js with what Embedded Signup gave the browser; answers JSON.
  router.post('/admin/numbers/embedded-signup', async (req, res) => {
    const { session } = consoleLocals(res);
    if (!signup) {
      res.status(404).json({ error: { code: 'EMBEDDED_SIGNUP_OFF', message: 'Embedded Signup is not configured on this server: set META_APP_ID and META_EMBEDDED_SIGNUP_CONFIG_ID.' } });
      return;
    }
    const body = parseForm(signupBody, req.body);
    if (!body.ok) {
      res.status(400).json({ error: { code: 'INVALID_REQUEST', message: body.problems.join('; ') } });
      return;
    }
    const { code, waba_id: wabaId, phone_number_id: phoneNumberId, pin } = body.data;
    const result = await completeEmbeddedSignup(
      { connect: deps, app: { id: signup.appId, secret: deps.config.metaAppSecret } },
      session.workspaceId,
      { code, wabaId, phoneNumberId, pin },
      session.actor,
    );
    if (!result.ok) {
      res.status(numberRefusalStatus(result.code)).json({ error: { step: result.step, code: result.code, message: result.message } });
      return;
    }
    await checkNumberHealth(healthDeps, session.workspaceId, result.number.id);
    // The generated PIN is answered once and stored nowhere: the admin must write it down.
    res.status(result.created ? 201 : 200).json({ number: { id: result.number.id, name: numberName(result.number) }, generated_pin: result.generatedPin ?? null });
  });

  return router;
}

function numberName(n: Pick<NumberView, 'display_phone_number' | 'verified_name' | 'phone_number_id'>): string {
  const phone = n.display_phone_number ?? n.phone_number_id;
  return n.verified_name ? `${phone} (${n.verified_name})` : phone;
}

function numbersTable(numbers: readonly NumberView[], csrf: Html | undefined): Html {
  return dataTable<NumberView>({
    caption: 'WhatsApp numbers of this workspace and their health',
    empty: 'No number is connected yet. Connect one below.',
    rows: numbers,
    columns: [
      { label: 'Number', cell: (n) => html`${n.display_phone_number ?? n.phone_number_id}<br><small>${n.verified_name ?? ''}</small>` },
      { label: 'IDs', cell: (n) => html`<small>Phone number ${n.phone_number_id}<br>WABA ${n.waba_id}</small>` },
      { label: 'State', cell: (n) => n.state === 'active' ? badge('Active', 'ok') : html`${badge('Needs attention', 'error')}<br><small>${n.state_reason ?? ''}</small>` },
      { label: 'Token', cell: (n) => checked(n.credentials_valid, ['Valid', 'Rejected']) },
      { label: 'Webhooks', cell: (n) => checked(n.webhooks_subscribed, ['Subscribed', 'Not subscribed']) },
      { label: 'Quality', cell: (n) => quality(n.quality_rating) },
      { label: 'Messaging limit', cell: (n) => messagingLimit(n.messaging_limit_tier) },
      { label: 'Throughput', cell: (n) => throughput(n.throughput_level) },
      { label: 'Checked', cell: (n) => html`${timeTag(n.health_checked_at)}${n.health_problem ? html`<br><small>${n.health_problem}</small>` : ''}` },
      ...(csrf ? [{
        label: 'Actions',
        cell: (n: NumberView) => html`<form method="post" action="/admin/numbers/${n.id}/health">${csrf}<button type="submit" class="secondary">Check health<span class="visually-hidden"> of ${numberName(n)}</span></button></form>`,
      }] : []),
    ],
  });
}

function checked(value: boolean | null, [yes, no]: [string, string]): Html {
  if (value === null) return badge('Not checked');
  return value ? badge(yes, 'ok') : badge(no, 'error');
}

const QUALITY: Record<string, [string, BadgeTone]> = { GREEN: ['High', 'ok'], YELLOW: ['Medium', 'warn'], RED: ['Low', 'error'] };

function quality(rating: string | null): Html {
  const known = rating ? QUALITY[rating] : undefined;
  if (known) return badge(known[0], known[1]);
  return badge(rating === null ? 'Not checked' : 'Not rated yet');
}

/** Business-initiated conversations with unique customers per moving 24 h, per business portfolio (§8). */
function messagingLimit(tier: string | null): Html {
  if (!tier) return html`<span class="muted">–</span>`;
  if (tier === 'TIER_UNLIMITED') return html`Unlimited`;
  if (tier === 'TIER_NOT_SET') return html`<span class="muted">Not set</span>`;
  const match = /^TIER_(\d+)(K?)$/.exec(tier);
  if (!match) return html`${tier}`;
  const customers = Number(match[1]) * (match[2] ? 1000 : 1);
  return html`${customers.toLocaleString('en-US')} customers / 24 h`;
}

function throughput(level: string | null): Html {
  if (!level) return html`<span class="muted">–</span>`;
  if (level === 'STANDARD') return html`Standard <small>(80 msg/s)</small>`;
  if (level === 'HIGH') return html`High <small>(1,000 msg/s)</small>`;
  return html`${level}`;
}

function signupSection(signup: { appId: string; configId: string } | undefined, graphVersion: string): Html {
  if (!signup) {
    return html`<h3>With Facebook (Embedded Signup)</h3>
<p class="muted">Embedded Signup is off on this server. To offer it, set META_APP_ID and META_EMBEDDED_SIGNUP_CONFIG_ID (see .env.example). Meanwhile, connect a number by hand below.</p>`;
  }
  return html`<h3>With Facebook (Embedded Signup)</h3>
<p>The customer signs in with Facebook, picks or creates the WhatsApp Business Account and number, and Threadline subscribes to its webhooks and registers the number.</p>
<form class="stack" id="embedded-signup">
<label for="signup-pin">Two-step verification PIN <small>optional: the number's 6-digit PIN if it has one; left empty, one is generated and shown once</small></label>
<input id="signup-pin" name="pin" type="text" inputmode="numeric" pattern="\\d{6}" maxlength="6" autocomplete="off">
<button type="submit">Connect with Facebook</button>
</form>
<div id="embedded-signup-status" role="status" aria-live="polite"></div>
<script type="application/json" id="embedded-signup-config">${jsonForScript({ appId: signup.appId, configId: signup.configId, graphVersion })}</script>`;
}

function manualSection(form: ManualFormState, csrf: Html): Html {
  return html`<h3 id="manual">By hand</h3>
<p>For a number already registered on Cloud API: its ids from WhatsApp Manager and a System User access token with whatsapp_business_messaging. The token is checked with Meta and stored encrypted.</p>
${formProblems(form.problems)}
<form method="post" action="/admin/numbers" class="stack" aria-labelledby="manual">
${csrf}
<label for="phone-number-id">Phone number ID</label>
<input id="phone-number-id" name="phone_number_id" type="text" inputmode="numeric" required value="${form.values.phone_number_id ?? ''}" autocomplete="off">
<label for="waba-id">WhatsApp Business Account ID</label>
<input id="waba-id" name="waba_id" type="text" inputmode="numeric" required value="${form.values.waba_id ?? ''}" autocomplete="off">
<label for="access-token">Access token</label>
<input id="access-token" name="access_token" type="password" required autocomplete="off" spellcheck="false">
<button type="submit">Connect number</button>
</form>`;
}
