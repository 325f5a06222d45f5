import express, { type Request } from 'express';
import { z } from 'zod';
import type { MetaFakeState } from './fake-state';
import { readFixture } from './fixtures';
import { invalidParameter, metaError, unsupportedRequest } from './graph-errors';
import { checkAvailable, checkGraphRequest } from './graph-routes';
import { REGISTER_LIMIT } from './onboarding-state';
import { reply, replyError } from './request-log';

type Params = { version: string; id: string };

const registerBody = z.object({
  messaging_product: z.literal('whatsapp'),
  pin: z.string(),
  data_localization_region: z.string().length(2).optional(),
}).strict();

/**
 * What a Tech Provider calls to onboard a customer after Embedded Signup: the code exchange, the WABA's
 * webhook subscriptions, and number registration. Wording of errors as Graph sends them.
 */
export function onboardingRouter(state: MetaFakeState, app: { id: string; secret: string | undefined }): express.Router {
  const router = express.Router();
  const { onboarding } = state;

  // No bearer token here: the app authenticates with its id and secret in the query.
  router.get('/:version/oauth/access_token', (req: Request<{ version: string }>, res) => {
    if (!checkAvailable(state, req, res)) return;
    const { client_id: clientId, client_secret: clientSecret, code } = req.query;
    if (typeof clientId !== 'string' || clientId !== app.id) {
      replyError(res, metaError(101, 'Error validating application. Invalid application ID.'));
      return;
    }
    if (app.secret === undefined || clientSecret !== app.secret) {
      replyError(res, metaError(1, 'Error validating client secret.'));
      return;
    }
    if (typeof code !== 'string' || code === '') {
      replyError(res, metaError(100, 'Missing authorization code'));
      return;
    }
    const redeemed = onboarding.redeem(code);
    if ('refused' in redeemed) {
      const refusal = {
        used: metaError(100, 'This authorization code has been used.', { subcode: 36009 }),
        expired: metaError(100, 'This authorization code has expired.', { subcode: 36007 }),
        unknown: metaError(100, 'Invalid verification code format.'),
      }[redeemed.refused];
      replyError(res, refusal);
      return;
    }
    reply(res, 200, { access_token: redeemed.token, token_type: 'bearer' });
  });

  router.get('/:version/:id/subscribed_apps', (req: Request<Params>, res) => {
    const checked = checkGraphRequest(state, req, res, 'other');
    if (!checked.ok) return;
    if (!state.wabaVisible(req.params.id, checked.token)) {
      replyError(res, unsupportedRequest('GET', req.params.id));
      return;
    }
    const apps = [...(onboarding.subscriptions.get(req.params.id) ?? [])];
    reply(res, 200, { data: apps.map((id) => ({ whatsapp_business_api_data: { id, link: `https://www.facebook.com/games/?app_id=${id}`, name: id === app.id ? 'Threadline (fake)' : `App ${id}` } })) });
  });

  router.post('/:version/:id/subscribed_apps', (req: Request<Params>, res) => {
    const checked = checkGraphRequest(state, req, res, 'other');
    if (!checked.ok) return;
    if (!state.wabaVisible(req.params.id, checked.token)) {
      replyError(res, unsupportedRequest('POST', req.params.id));
      return;
    }
    onboarding.subscribe(req.params.id);
    reply(res, 200, readFixture('success-true-response'));
  });

  router.post('/:version/:id/register', (req: Request<Params>, res) => {
    const checked = checkGraphRequest(state, req, res, 'other');
    if (!checked.ok) return;
    const number = state.numbers.get(req.params.id);
    if (!number || !state.canUse(number, checked.token)) {
      replyError(res, unsupportedRequest('POST', req.params.id));
      return;
    }
    const body = registerBody.safeParse(req.body);
    if (!body.success) {
      replyError(res, invalidParameter(z.prettifyError(body.error)));
      return;
    }
    const { pin } = body.data;
    if (!/^\d{6}$/.test(pin)) {
      replyError(res, invalidParameter('pin must be a 6-digit number'));
      return;
    }
    const attempt = { phoneNumberId: number.phoneNumberId, pin, ok: false, at: state.now() };
    onboarding.registrations.push(attempt);
    if (onboarding.recentAttempts(number.phoneNumberId) > REGISTER_LIMIT) {
      replyError(res, metaError(133016, '(#133016) Account register deregister rate limit exceeded', { details: 'Too many register or deregister attempts for this phone number in 72 hours' }));
      return;
    }
    const existing = onboarding.pins.get(number.phoneNumberId);
    if (existing !== undefined && existing !== pin) {
      replyError(res, metaError(133005, '(#133005) Two step verification PIN Mismatch', { details: 'The PIN does not match the two-step verification PIN of this phone number' }));
      return;
    }
    // Registering a number without two-step verification sets its PIN.
    onboarding.pins.set(number.phoneNumberId, pin);
    attempt.ok = true;
    reply(res, 200, readFixture('success-true-response'));
  });

  return router;
}
