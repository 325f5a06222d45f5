import crypto from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Response } from 'express';
import { twilioSignature } from '../../../core/sms/twilio-signature';
import { FailureScript } from '../common/failure-script';

export const FAKE_ACCOUNT_SID = `AC${'1'.repeat(32)}`;
export const FAKE_AUTH_TOKEN = 'f'.repeat(32);

export interface FakeSms {
  sid: string;
  from: string;
  to: string;
  body: string;
  statusCallback: string | undefined;
  status: string;
}

/** Twilio's documented errors (status, code, message) the fake answers with, scripted or for an invalid request. */
const ERRORS = {
  21211: { status: 400, message: "The 'To' number is not a valid phone number." },
  21602: { status: 400, message: 'Message body is required.' },
  21603: { status: 400, message: "A 'From' phone number is required." },
  21610: { status: 400, message: 'Attempt to send to unsubscribed recipient' },
  21617: { status: 400, message: 'The concatenated message body exceeds the 1600 character limit.' },
  20003: { status: 401, message: 'Authenticate' },
  20429: { status: 429, message: 'Too Many Requests' },
  20500: { status: 500, message: 'Internal Server Error' },
} as const;
export type TwilioErrorCode = keyof typeof ERRORS;

export interface TwilioFake {
  /** Use as TWILIO_API_BASE. */
  baseUrl: string;
  /** Every message the fake took, in order. */
  sent: FakeSms[];
  /** Every POST to the Messages resource, taken or not, with its answer's status. */
  requests: Array<{ form: Record<string, string>; status: number }>;
  /** The next `count` sends answer this documented error instead. */
  failNext(count: number, code: TwilioErrorCode): void;
  /**
   * POSTs a status callback for a message as Twilio does: form-encoded, signed over the StatusCallback URL it was
   * given; `deliverTo` replaces where it goes (Threadline behind a proxy: signed URL ≠ address reached).
   */
  postStatus(sid: string, status: string, options?: { errorCode?: number; deliverTo?: string; signature?: string }): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A local stand-in for Twilio's Messages API: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded,
 * HTTP Basic (account SID : auth token, else 401 with 20003), answering 201 `{ sid: SM…, status: queued, … }` or
 * Twilio's error body `{ code, message, more_info, status }`.
 */
export async function startTwilioFake(options: { accountSid?: string; authToken?: string } = {}): Promise<TwilioFake> {
  const accountSid = options.accountSid ?? FAKE_ACCOUNT_SID;
  const authToken = options.authToken ?? FAKE_AUTH_TOKEN;
  const sent: FakeSms[] = [];
  const requests: TwilioFake['requests'] = [];
  const failures = new FailureScript<'messages', string, TwilioErrorCode>();
  const app = express();

  const fail = (res: Response, code: TwilioErrorCode) => {
    const error = ERRORS[code];
    res.status(error.status).json({ code, message: error.message, more_info: `https://www.twilio.com/docs/errors/${code}`, status: error.status });
  };

  app.post('/2010-04-01/Accounts/:sid/Messages.json', express.urlencoded({ extended: false }), (req, res) => {
    const form = req.body as Record<string, string>;
    const record = { form, status: 0 };
    requests.push(record);
    res.on('finish', () => { record.status = res.statusCode; });
    const [scheme, credentials] = (req.get('authorization') ?? '').split(' ');
    const [user, password] = Buffer.from(credentials ?? '', 'base64').toString('utf8').split(':');
    if (scheme !== 'Basic' || user !== accountSid || password !== authToken || req.params.sid !== accountSid) return fail(res, 20003);
    if (!req.is('application/x-www-form-urlencoded')) return fail(res, 21602);
    const scripted = failures.take('messages', accountSid);
    if (scripted) return fail(res, scripted);
    if (!form.From && !form.MessagingServiceSid) return fail(res, 21603);
    if (!/^\+[1-9]\d{6,14}$/.test(form.To ?? '')) return fail(res, 21211);
    if (!form.Body) return fail(res, 21602);
    if (form.Body.length > 1600) return fail(res, 21617);
    const sms: FakeSms = { sid: `SM${crypto.randomBytes(16).toString('hex')}`, from: form.From ?? '', to: form.To ?? '', body: form.Body, statusCallback: form.StatusCallback, status: 'queued' };
    sent.push(sms);
    res.status(201).json({
      sid: sms.sid, account_sid: accountSid, from: sms.from, to: sms.to, body: sms.body, status: 'queued', direction: 'outbound-api',
      num_segments: String(Math.ceil(sms.body.length / 153)), error_code: null, error_message: null, date_created: new Date().toUTCString(),
    });
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl, sent, requests,
    failNext: (count, code) => failures.add(count, code, 'messages', undefined),
    async postStatus(sid, status, opts = {}) {
      const sms = sent.find((m) => m.sid === sid);
      if (!sms?.statusCallback) throw new Error(`no message ${sid} with a StatusCallback`);
      sms.status = status;
      const params: Record<string, string> = { AccountSid: accountSid, MessageSid: sid, SmsSid: sid, MessageStatus: status, SmsStatus: status, From: sms.from, To: sms.to, ApiVersion: '2010-04-01' };
      if (opts.errorCode !== undefined) params.ErrorCode = String(opts.errorCode);
      const res = await fetch(opts.deliverTo ?? sms.statusCallback, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': opts.signature ?? twilioSignature(authToken, sms.statusCallback, params) },
        body: new URLSearchParams(params).toString(),
      });
      return res.status;
    },
    stop: () => new Promise((resolve) => { server.close(() => resolve()); }),
  };
}
