import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { fixtureNumber, MetaFakeState, type FakeNumber, type SentMessage } from './fake-state';
import { invalidParameter, invalidToken } from './graph-errors';
import { graphRouter, unknownGraphPath } from './graph-routes';
import { MediaUrls } from './media-urls';
import { onboardingRouter } from './onboarding-routes';
import { bearerToken, logRequests, recordBody, replyError } from './request-log';
import { statusWebhook, templatePricing } from './status-webhooks';
import { postSigned, signatureFor, toMetaJson, type PostWebhookOptions } from './webhook-signing';

export interface MetaFakeOptions {
  /** Numbers to register. Default: the fixtures' number (`fixtureNumber`, token `fake-token-100000000000002`). */
  numbers?: Array<Partial<FakeNumber> & Pick<FakeNumber, 'phoneNumberId'>>;
  /** Where to POST status webhooks after each accepted send. Needs `appSecret`. */
  webhookTarget?: string;
  /** Signs every webhook the fake posts. */
  appSecret?: string;
  /** Media URL lifetime. Default 5 minutes, as on Meta. */
  mediaUrlTtlMs?: number;
  /** Pause before each status webhook. Default 0. */
  statusDelayMs?: number;
  /** The Meta app Threadline runs as (META_APP_ID); its secret is `appSecret`. Default FAKE_APP_ID. */
  appId?: string;
  /**
   * Status webhooks that get no 2xx (refused, or the receiver down) are posted again, as Meta does (reference
   * §1: "immediately, then with decreasing frequency"): up to `attempts` in all, the pause doubling from
   * `firstDelayMs`. Default: posted once.
   */
  redeliverWebhooks?: { attempts: number; firstDelayMs: number };
}

export interface MetaFake {
  /** Use as the GraphClient `baseUrl`: requests go to `${baseUrl}/v24.0/...`. */
  baseUrl: string;
  state: MetaFakeState;
  stop(): Promise<void>;
  /** `sha256=<hex>` of these exact bytes with the fake's app secret. */
  signWebhook(body: string | Buffer): string;
  /**
   * Signs and POSTs a webhook, returns the HTTP status. An object is serialised as Meta does (non-ASCII
   * escaped, see `toMetaJson`); a string is sent byte for byte (e.g. the signature test vector).
   */
  postWebhook(targetUrl: string, payload: unknown, options?: PostWebhookOptions): Promise<number>;
  /** Meta's subscription handshake: GET with hub.mode/hub.challenge/hub.verify_token. */
  verifySubscription(targetUrl: string, verifyToken: string, challenge?: string): Promise<{ status: number; body: string }>;
  /** A fresh download URL for a media id, e.g. to put in an inbound webhook's `url` field. */
  mediaUrlFor(mediaId: string): string;
  /** Resolves once every status webhook started so far has been answered. */
  flushWebhooks(): Promise<void>;
}

/** A local stand-in for the WhatsApp Cloud API (Graph API + media host + webhook sender), on 127.0.0.1 and a free port. */
export async function startMetaFake(options: MetaFakeOptions = {}): Promise<MetaFake> {
  const state = new MetaFakeState(options.appId);
  for (const n of options.numbers ?? [fixtureNumber]) state.addNumber(n);
  let baseUrl = '';
  const mediaUrls = new MediaUrls(() => baseUrl, () => state.now(), options.mediaUrlTtlMs ?? 5 * 60_000);
  const pending = new Set<Promise<void>>();

  /** Posts once; true when the receiver answered 2xx. Every try is in `state.webhooks`. */
  async function post(url: string, body: string): Promise<boolean> {
    const at = state.now();
    try {
      const { status, signature } = await postSigned(url, body, options.appSecret);
      state.webhooks.push({ url, rawBody: body, signature, status, error: undefined, at });
      return status >= 200 && status < 300;
    } catch (err) {
      state.webhooks.push({ url, rawBody: body, signature: undefined, status: undefined, error: String(err), at });
      return false;
    }
  }

  async function deliver(url: string, body: string): Promise<void> {
    const retry = options.redeliverWebhooks ?? { attempts: 1, firstDelayMs: 0 };
    for (let attempt = 1, pause = retry.firstDelayMs; !(await post(url, body)) && attempt < retry.attempts; attempt++, pause *= 2) {
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  /** sent, then delivered (or the scripted late failure). Reactions only ever get `sent` (§3). */
  async function emitStatuses(target: string, message: SentMessage, number: FakeNumber): Promise<void> {
    const pause = () => new Promise((resolve) => setTimeout(resolve, options.statusDelayMs ?? 0));
    const isTemplate = message.request.type === 'template';
    const common = {
      number,
      wamid: message.wamid,
      recipientId: message.waId,
      pricing: isTemplate ? templatePricing : undefined,
      bizOpaqueCallbackData: message.request.biz_opaque_callback_data,
    };
    await pause();
    await deliver(target, toMetaJson(statusWebhook('status-sent', { ...common, at: state.now() })));
    if (message.request.type === 'reaction') return;
    await pause();
    const lateFailure = state.lateFailures.get(message.waId);
    const next = lateFailure
      ? statusWebhook(lateFailure, { ...common, pricing: null, at: state.now() })
      : statusWebhook('status-delivered', { ...common, at: state.now() });
    await deliver(target, toMetaJson(next));
  }

  function onSent(message: SentMessage, number: FakeNumber): void {
    if (options.webhookTarget === undefined || options.appSecret === undefined) return;
    const job = emitStatuses(options.webhookTarget, message, number);
    pending.add(job);
    void job.finally(() => pending.delete(job));
  }

  const app = express();
  app.disable('x-powered-by');
  app.use(logRequests(state));

  // The media host: Bearer token required (401 without), 404 once the URL has expired.
  app.get('/media-download/:id', (req: Request<{ id: string }>, res) => {
    if (state.outage) {
      res.status(state.outage.httpStatus).end();
      return;
    }
    const media = state.media.get(req.params.id);
    const token = bearerToken(req);
    const owner = media?.phoneNumberId === undefined ? undefined : state.numbers.get(media.phoneNumberId);
    if (state.numberForToken(token) === undefined || (owner !== undefined && !state.canUse(owner, token))) {
      replyError(res, invalidToken());
      return;
    }
    if (!media || !mediaUrls.isValid(media.id, req.query.expires, req.query.hash)) {
      res.status(404).type('text/plain').send('Not Found');
      return;
    }
    res.status(200).set({ 'Content-Type': media.mimeType, 'Content-Length': String(media.data.length) }).end(media.data);
  });

  app.use(express.json({ limit: '5mb' }));
  app.use(express.raw({ type: 'multipart/form-data', limit: '120mb' }));
  app.use(recordBody);
  app.use(onboardingRouter(state, { id: state.onboarding.appId, secret: options.appSecret }));
  app.use(graphRouter({ state, mediaUrls, onSent }));
  app.use(unknownGraphPath);
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    // Body parser failures (bad JSON, too large) are Graph parameter errors.
    replyError(res, invalidParameter(`Could not parse the request body: ${err instanceof Error ? err.message : String(err)}`));
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('Meta fake is not listening on a TCP port');
  baseUrl = `http://127.0.0.1:${address.port}`;

  function requireSecret(): string {
    if (options.appSecret === undefined) throw new Error('startMetaFake needs an appSecret to sign webhooks');
    return options.appSecret;
  }

  return {
    baseUrl,
    state,
    async stop() {
      await Promise.allSettled([...pending]);
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
    signWebhook: (body) => signatureFor(body, requireSecret()),
    async postWebhook(targetUrl, payload, postOptions) {
      const body = typeof payload === 'string' ? payload : toMetaJson(payload);
      const { status, signature } = await postSigned(targetUrl, body, options.appSecret, postOptions);
      state.webhooks.push({ url: targetUrl, rawBody: body, signature, status, error: undefined, at: state.now() });
      return status;
    },
    async verifySubscription(targetUrl, verifyToken, challenge = String(Math.floor(Math.random() * 1e10))) {
      const url = new URL(targetUrl);
      url.searchParams.set('hub.mode', 'subscribe');
      url.searchParams.set('hub.challenge', challenge);
      url.searchParams.set('hub.verify_token', verifyToken);
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      return { status: res.status, body: await res.text() };
    },
    mediaUrlFor: (mediaId) => mediaUrls.issue(mediaId),
    async flushWebhooks() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

export { fixtureNumber, MetaFakeState } from './fake-state';
export type { FakeMedia, FakeNumber, RecordedRequest, SentMessage, ReadReceipt, DeliveredWebhook, LateFailureFixture } from './fake-state';
export { signatureFor, toMetaJson } from './webhook-signing';
export { FAKE_APP_ID } from './onboarding-state';
