import crypto from 'node:crypto';
import { scheduleFollowUp } from '../../core/automation/trigger-jobs';
import type { TriggerRequestRow } from '../../core/automation/trigger-send';
import { ADMIN_AUTH, waitFor } from '../admin/admin-helpers';
import type { MetaFake } from '../fakes/meta/meta-fake';
import { fixtureNumber } from '../fakes/meta/meta-fake';
import type { TestRuntime } from './test-runtime';

/** Trigger calls whose follow-up is handed to the contact's owner (`followUp.assignTask`), for the CRM tests. */
export interface FollowUpTrigger {
  /** A business system calls the trigger for this phone; resolves to the template's message id. */
  call(phone: string): Promise<string>;
  /** The follow-up's hours pass: its job, scheduled at the template, runs now; resolves once it has run. */
  runFollowUp(messageId: string): Promise<void>;
  /** The follow-up job queued and run once more (a retried job): resolves once it has run. */
  repeatFollowUp(messageId: string): Promise<void>;
  /** The `conversation.follow_up_due` outbox rows of the template's conversation for an installation. */
  followUpEvents(messageId: string, installationId: string): Promise<Array<{ state: string; last_error: string | null }>>;
}

export const FOLLOW_UP_TRIGGER = 'order-shipped';
export const FOLLOW_UP_TEMPLATE = 'shipping_update';

/** Sets up, through the admin API, an approved template, a trigger with `followUp: { afterHours: 2, assignTask: true }`, and the trigger secret. */
export async function followUpTrigger(rt: TestRuntime, meta: MetaFake): Promise<FollowUpTrigger> {
  meta.state.templates.add({ name: FOLLOW_UP_TEMPLATE, components: [{ type: 'BODY', text: 'Your order {{1}} ships today.', example: { body_text: [['#1']] } }] });
  const admin = (method: 'post' | 'put', path: string) => rt.http()[method](path).set('authorization', ADMIN_AUTH);
  const expectStatus = (res: { status: number; body: unknown }, status: number) => {
    if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  };
  expectStatus(await admin('post', '/api/v1/templates/sync').send({ phone_number_id: fixtureNumber.phoneNumberId }), 200);
  expectStatus(await admin('put', '/api/v1/automation/rules/triggers').send({ definition: { triggers: [{
    name: FOLLOW_UP_TRIGGER, template: FOLLOW_UP_TEMPLATE, language: 'en_US', to: '/phone', parameters: ['/order'], followUp: { afterHours: 2, assignTask: true },
  }] } }), 201);
  const created = await admin('post', '/api/v1/automation/trigger-secret');
  expectStatus(created, 201);
  const secret = created.body.secret as string;

  const requestOf = (messageId: string): Promise<TriggerRequestRow> => rt.db('trigger_request').where({ message_id: messageId }).first();
  const jobKey = async (messageId: string) => `trigger-follow-up:${(await requestOf(messageId)).id}`;
  const jobDone = async (key: string) => waitFor(async () => (await rt.db('graphile_worker._private_jobs').where({ key }).first('id')) === undefined, `the follow-up job ${key}`);
  return {
    async call(phone) {
      const body = JSON.stringify({ phone, order: '#1234' });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
      const res = await rt.http().post(`/api/v1/triggers/${FOLLOW_UP_TRIGGER}`).set('content-type', 'application/json')
        .set('x-threadline-timestamp', timestamp).set('x-threadline-signature', signature).set('idempotency-key', crypto.randomUUID()).send(body);
      expectStatus(res, 202);
      return res.body.messageId as string;
    },
    async runFollowUp(messageId) {
      const key = await jobKey(messageId);
      const moved = await rt.db('graphile_worker._private_jobs').where({ key }).update({ run_at: rt.db.fn.now() });
      if (moved !== 1) throw new Error(`no follow-up job ${key}`);
      await jobDone(key);
    },
    async repeatFollowUp(messageId) {
      const now = new Date();
      await scheduleFollowUp(rt.db, await requestOf(messageId), now, now);
      await jobDone(await jobKey(messageId));
    },
    followUpEvents: (messageId, installationId) => rt.db('sync_outbox as o').join('message as m', 'm.conversation_id', 'o.conversation_id')
      .where({ 'o.installation_id': installationId, 'm.id': messageId, 'o.type': 'conversation.follow_up_due' }).select('o.state', 'o.last_error'),
  };
}
