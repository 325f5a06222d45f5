import crypto from 'node:crypto';
import { GraphApiError } from '../whatsapp/graph-error';
import { connectNumber } from './connect-number';
import type { NumberView } from './register-number';

/** The onboarding steps, in order; a failure names the one that failed. */
export type SignupStep = 'exchange_code' | 'subscribe_webhooks' | 'register_number' | 'save_number';

export interface EmbeddedSignupInput {
  /** The code FB.login returned (about 30 s to live, single use). */
  code: string;
  /** From the WA_EMBEDDED_SIGNUP FINISH message event. */
  wabaId: string;
  phoneNumberId: string;
  /** The number's two-step verification PIN; omitted, one is generated and returned once. */
  pin?: string;
}

export type EmbeddedSignupResult =
  | { ok: true; number: NumberView; created: boolean; generatedPin: string | undefined }
  | { ok: false; step: SignupStep; code: string; message: string };

export interface EmbeddedSignupDeps {
  connect: Parameters<typeof connectNumber>[0];
  /** META_APP_ID and META_APP_SECRET. */
  app: { id: string; secret: string };
}

const RERUN = 'then run Embedded Signup again (a sign-up code works once)';

/**
 * Finishes Embedded Signup as Meta's "Onboarding business customers as a Tech Provider" describes, server
 * side: code → business token, app subscribed to the WABA's webhooks, number registered on Cloud API
 * with its PIN, then stored like a manually connected number (token checked and sealed).
 */
export async function completeEmbeddedSignup(deps: EmbeddedSignupDeps, workspaceId: string, input: EmbeddedSignupInput, actor: string): Promise<EmbeddedSignupResult> {
  let token: string;
  try {
    token = await deps.connect.graph.exchangeCode(input.code, deps.app);
  } catch (err) {
    return failed('exchange_code', err, (e) => {
      // 101: unknown app id; 1: "Error validating client secret".
      if (e.code === 101 || e.code === 1) return { code: 'APP_CREDENTIALS_INVALID', message: `Meta rejected this server's app credentials (code ${e.code}): META_APP_ID and META_APP_SECRET must be the App ID and App secret of the app behind META_EMBEDDED_SIGNUP_CONFIG_ID.` };
      if (e.code === 100) return { code: 'SIGNUP_CODE_INVALID', message: `Meta did not accept the sign-up code (${e.message}): it was already used, has expired (it lives about 30 seconds) or was not issued to this app; ${RERUN}.` };
      return undefined;
    });
  }

  try {
    await deps.connect.graph.subscribeApp(input.wabaId, token);
  } catch (err) {
    return failed('subscribe_webhooks', err, (e) => ({ code: 'SUBSCRIBE_FAILED', message: `Meta refused to subscribe the app to the webhooks of WhatsApp Business Account ${input.wabaId} (code ${e.code ?? e.httpStatus}: ${e.details ?? e.message}). Make sure the customer shared that account with the app in the flow, ${RERUN}.` }));
  }

  const generatedPin = input.pin === undefined ? crypto.randomInt(0, 1_000_000).toString().padStart(6, '0') : undefined;
  try {
    await deps.connect.graph.registerPhoneNumber(input.phoneNumberId, token, input.pin ?? generatedPin ?? '');
  } catch (err) {
    return failed('register_number', err, (e) => {
      if (e.code === 133005) return { code: 'PIN_MISMATCH', message: `Phone number ${input.phoneNumberId} already has a two-step verification PIN and ${input.pin === undefined ? 'the generated one' : 'the one entered'} is not it: enter the number's PIN (it can be reset in WhatsApp Manager), ${RERUN}.` };
      if (e.code === 133016) return { code: 'REGISTRATION_LIMIT', message: `Meta allows 10 registration attempts per number in 72 hours and phone number ${input.phoneNumberId} has used them: try again when the 72-hour window has passed.` };
      return { code: 'REGISTER_FAILED', message: `Meta did not register phone number ${input.phoneNumberId} (code ${e.code ?? e.httpStatus}: ${e.details ?? e.message}); fix that, ${RERUN}.` };
    });
  }

  const saved = await connectNumber(deps.connect, workspaceId, { phoneNumberId: input.phoneNumberId, wabaId: input.wabaId, accessToken: token }, actor);
  if (!saved.ok) return { ok: false, step: 'save_number', code: saved.error.code, message: saved.error.message };
  return { ok: true, number: saved.number, created: saved.created, generatedPin };
}

/** Token and availability failures read the same at every step; `specific` words the rest. */
function failed(step: SignupStep, err: unknown, specific: (e: GraphApiError) => { code: string; message: string } | undefined): EmbeddedSignupResult & { ok: false } {
  if (!(err instanceof GraphApiError)) throw err;
  if (err.kind === 'retryable') return { ok: false, step, code: 'GRAPH_UNAVAILABLE', message: `The Graph API did not answer (${err.message}); try again in a minute, ${RERUN}.` };
  if (err.kind === 'token') return { ok: false, step, code: 'TOKEN_INVALID', message: `Meta rejected the business token from the sign-up (code ${err.code ?? err.httpStatus}); ${RERUN}.` };
  const worded = specific(err);
  if (worded) return { ok: false, step, ...worded };
  return { ok: false, step, code: 'GRAPH_REJECTED', message: `Meta refused the request (code ${err.code ?? err.httpStatus}: ${err.details ?? err.message}); ${RERUN}.` };
}
