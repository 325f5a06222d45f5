import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { FakeMedia, FakeNumber, MetaFakeState, SentMessage } from './fake-state';
import { readFixture } from './fixtures';
import { invalidParameter, invalidToken, serviceUnavailable, unknownPath, unsupportedRequest, type FakeGraphError } from './graph-errors';
import { handleUpload } from './media-upload';
import type { MediaUrls } from './media-urls';
import { graphToken, reply, replyError } from './request-log';
import { parseMessagesRequest } from './send-schemas';
import { listTemplates } from './template-list';

export interface GraphRouteDeps {
  state: MetaFakeState;
  mediaUrls: MediaUrls;
  /** Called after a send was accepted, to emit status webhooks. */
  onSent(message: SentMessage, number: FakeNumber): void;
}

const sendSuccessSchema = z.object({
  messaging_product: z.literal('whatsapp'),
  contacts: z.array(z.looseObject({ input: z.string(), wa_id: z.string() })).length(1),
  messages: z.array(z.looseObject({ id: z.string(), message_status: z.string().optional() })).length(1),
});

type Params = { version: string; id: string };
type Checked = { ok: true; token: string } | { ok: false };

/** Before anything else on Graph: availability, then a well-formed version. False once it has answered. */
export function checkAvailable(state: MetaFakeState, req: Request<{ version: string }>, res: Response): boolean {
  if (state.outage) {
    if (state.outage.graphError) replyError(res, { ...serviceUnavailable(), httpStatus: state.outage.httpStatus });
    else res.status(state.outage.httpStatus).type('text/plain').send('Service Unavailable');
    return false;
  }
  if (!/^v\d+\.\d+$/.test(req.params.version)) {
    replyError(res, unknownPath(req.path));
    return false;
  }
  return true;
}

/** What every Graph call with a token goes through, in Meta's order: availability, path, token, scripted failures. */
export function checkGraphRequest(state: MetaFakeState, req: Request<{ version: string }>, res: Response, endpoint: 'messages' | 'other'): Checked {
  if (!checkAvailable(state, req, res)) return { ok: false };
  const token = graphToken(req);
  const failure = token === undefined || state.numberForToken(token) === undefined ? invalidToken() : endpoint === 'other' ? state.takeFailure('other') : undefined;
  if (token === undefined || failure) {
    replyError(res, failure ?? invalidToken());
    return { ok: false };
  }
  return { ok: true, token };
}

/** The Graph API surface: GET /{version}/{id}, GET /{version}/{waba-id}/message_templates, DELETE /{version}/{media-id}, POST /{version}/{pnid}/messages|media. */
export function graphRouter(deps: GraphRouteDeps): express.Router {
  const { state } = deps;
  const router = express.Router();

  const check = (req: Request<Params>, res: Response, endpoint: 'messages' | 'other'): Checked => checkGraphRequest(state, req, res, endpoint);

  /** A number is visible only with its own token, as objects are on Graph. */
  function numberFor(id: string, token: string): FakeNumber | undefined {
    const number = state.numbers.get(id);
    return number && state.canUse(number, token) ? number : undefined;
  }

  function mediaFor(id: string, token: string): FakeMedia | undefined {
    const media = state.media.get(id);
    if (!media) return undefined;
    if (media.phoneNumberId === undefined) return media;
    const owner = state.numbers.get(media.phoneNumberId);
    return owner && state.canUse(owner, token) ? media : undefined;
  }

  router.get('/:version/:id', (req: Request<Params>, res) => {
    const checked = check(req, res, 'other');
    if (!checked.ok) return;
    const { id } = req.params;
    const number = numberFor(id, checked.token);
    if (number) {
      const answer = phoneNumberFields(number, req.query.fields);
      if ('error' in answer) replyError(res, answer.error);
      else reply(res, 200, answer.body);
      return;
    }
    const media = mediaFor(id, checked.token);
    const guard = req.query.phone_number_id;
    // phone_number_id is Meta's guard: the media must belong to that number.
    const guardFails = typeof guard === 'string' && (numberFor(guard, checked.token) === undefined || (media?.phoneNumberId ?? guard) !== guard);
    if (!media || guardFails) {
      replyError(res, unsupportedRequest('GET', id));
      return;
    }
    reply(res, 200, {
      messaging_product: 'whatsapp',
      url: deps.mediaUrls.issue(media.id),
      mime_type: media.mimeType,
      sha256: media.sha256,
      file_size: media.data.length,
      id: media.id,
    });
  });

  router.get('/:version/:id/message_templates', (req: Request<Params>, res) => {
    const checked = check(req, res, 'other');
    if (!checked.ok) return;
    const answer = listTemplates(state, req.params.id, checked.token, req.query, `${req.protocol}://${req.get('host') ?? ''}${req.path}`);
    if ('error' in answer) replyError(res, answer.error);
    else reply(res, 200, answer.body);
  });

  router.delete('/:version/:id', (req: Request<Params>, res) => {
    const checked = check(req, res, 'other');
    if (!checked.ok) return;
    const media = mediaFor(req.params.id, checked.token);
    if (!media) {
      replyError(res, unsupportedRequest('DELETE', req.params.id));
      return;
    }
    state.media.delete(media.id);
    reply(res, 200, readFixture('success-true-response'));
  });

  router.post('/:version/:id/messages', (req: Request<Params>, res) => {
    const checked = check(req, res, 'messages');
    if (!checked.ok) return;
    const number = numberFor(req.params.id, checked.token);
    if (!number) {
      replyError(res, unsupportedRequest('POST', req.params.id));
      return;
    }
    const failure = state.takeFailure('messages');
    if (failure) {
      replyError(res, failure);
      return;
    }
    const parsed = parseMessagesRequest(req.body);
    if (parsed.kind === 'invalid') {
      replyError(res, invalidParameter(parsed.details));
      return;
    }
    if (parsed.kind === 'read') {
      const { request } = parsed;
      state.reads.push({ phoneNumberId: number.phoneNumberId, messageId: request.message_id, typing: request.typing_indicator !== undefined, request, at: state.now() });
      reply(res, 200, readFixture('success-true-response'));
      return;
    }
    const { request } = parsed;
    const message: SentMessage = {
      wamid: state.nextWamid(),
      phoneNumberId: number.phoneNumberId,
      to: request.to,
      waId: request.to.replace(/\D/g, ''),
      type: request.type,
      request,
      at: state.now(),
    };
    state.sent.push(message);
    const isTemplate = request.type === 'template';
    const shape = sendSuccessSchema.parse(readFixture(isTemplate ? 'send-template-success-response' : 'send-success-response'));
    reply(res, 200, {
      ...shape,
      contacts: shape.contacts.map((c) => ({ ...c, input: message.to, wa_id: message.waId })),
      messages: shape.messages.map((m) => ({ ...m, id: message.wamid })),
    });
    deps.onSent(message, number);
  });

  router.post('/:version/:id/media', async (req: Request<Params>, res) => {
    const checked = check(req, res, 'other');
    if (!checked.ok) return;
    const number = numberFor(req.params.id, checked.token);
    if (!number) {
      replyError(res, unsupportedRequest('POST', req.params.id));
      return;
    }
    await handleUpload(req, res, state, number);
  });

  return router;
}

type FieldsAnswer = { body: Record<string, unknown> } | { error: FakeGraphError };

/** Only the requested fields (plus id), as Graph answers; an unknown field is an error, as on Graph. */
function phoneNumberFields(number: FakeNumber, fieldsParam: unknown): FieldsAnswer {
  const values: Record<string, unknown> = {
    display_phone_number: graphFormatted(number.displayPhoneNumber),
    verified_name: number.verifiedName,
    quality_rating: number.qualityRating,
    throughput: { level: number.throughputLevel },
    whatsapp_business_manager_messaging_limit: number.messagingLimitTier,
    messaging_limit_tier: number.messagingLimitTier,
    code_verification_status: 'VERIFIED',
    name_status: 'APPROVED',
    platform_type: 'CLOUD_API',
  };
  const defaults = ['verified_name', 'code_verification_status', 'display_phone_number', 'quality_rating', 'platform_type', 'throughput'];
  const requested = typeof fieldsParam === 'string' && fieldsParam !== '' ? fieldsParam.split(',').map((f) => f.trim()) : defaults;
  const body: Record<string, unknown> = {};
  for (const field of requested) {
    if (field === 'id') continue;
    if (!(field in values)) {
      return {
        error: {
          httpStatus: 400,
          body: { error: { message: `(#100) Tried accessing nonexisting field (${field}) on node type (WhatsAppBusinessPhoneNumber)`, type: 'OAuthException', code: 100, fbtrace_id: 'FAKE_FBTRACE_FIELDS' } },
        },
      };
    }
    body[field] = values[field];
  }
  body.id = number.phoneNumberId;
  return { body };
}

/** Graph formats numbers for display (`+1 555-000-2222`); webhooks carry digits. Clients must normalise. */
function graphFormatted(digits: string): string {
  const nanp = /^1(\d{3})(\d{3})(\d{4})$/.exec(digits);
  return nanp ? `+1 ${nanp[1]}-${nanp[2]}-${nanp[3]}` : `+${digits}`;
}

/** Anything else under the Graph root, as Graph answers unknown paths. */
export function unknownGraphPath(req: Request, res: Response): void {
  replyError(res, unknownPath(req.path));
}
