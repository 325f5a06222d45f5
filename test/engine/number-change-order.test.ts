import type { WebhookEnvelope } from '../../core/whatsapp/webhook-payload';
import {
  at, audits, conversationOf, deliver, edit, fixture, insertOutbound, messageByWamid, textMessage, useEngineWorkspace,
} from './engine-harness';

const HOUR = 3600;
const DAY = 24 * HOUR;
const B = 1_760_000_000;

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

const text = (id: string, from: string, timestamp: number): WebhookEnvelope => textMessage({ id, body: id, timestamp, from, name: 'Customer' });

/** The `user_changed_number` notice: `from` moved to `to` at `timestamp`. */
function numberChange(id: string, from: string, to: string, timestamp: number): WebhookEnvelope {
  return edit(fixture('inbound-system-user-changed-number.json'), 'messages', (m) => {
    m.id = id;
    m.from = from;
    m.timestamp = String(timestamp);
    m.system = { body: `changed from ${from} to ${to}`, wa_id: to, type: 'user_changed_number' };
  });
}

function marketingStop(waId: string, timestamp: number): WebhookEnvelope {
  const stop = edit(fixture('user-preferences-stop.json'), 'user_preferences', (p) => {
    p.wa_id = waId;
    p.timestamp = timestamp;
  });
  return edit(stop, 'contacts', (c) => {
    c.wa_id = waId;
    c.profile = { name: 'Customer' };
  });
}

interface ThreadView {
  wa_id: string | null;
  status: string;
  opened_at: Date;
  last_message_at: Date;
  last_inbound_at: Date | null;
  window_expires_at: Date | null;
  wamids: string[];
}

describe('number changes: the same outcome whatever order the notice and the messages arrive in', () => {
  const env = useEngineWorkspace();

  let caseNo = 0;
  /** Fresh numbers and wamid prefix per case, so cases share the workspace without meeting. */
  function newCase() {
    caseNo++;
    const n = String(caseNo).padStart(3, '0');
    return { prefix: `wamid.NC${n}_`, number: (k: number) => `1555${n}000${k}` };
  }

  /** What a user would see of one case: contacts, threads with their messages, consent, recorded changes. */
  async function stateOf(prefix: string, numbers: string[]) {
    const withMessages = env.db('conversation as c').join('message as m', 'm.conversation_id', 'c.id')
      .where('c.workspace_id', env.ws.workspaceId).where('m.wamid', 'like', `${prefix}%`).select('c.contact_id');
    const contacts = await env.db('contact').where({ workspace_id: env.ws.workspaceId })
      .where((q) => q.whereIn('wa_id', numbers).orWhereIn('id', withMessages))
      .orderBy('wa_id').select('wa_id', 'user_id', 'profile_name', 'previous_wa_ids');
    const threads = await env.db.raw<{ rows: ThreadView[] }>(
      `select k.wa_id, c.status, c.opened_at, c.last_message_at, c.last_inbound_at, c.window_expires_at,
              (select array_agg(m.wamid order by m.sent_at) from message m where m.conversation_id = c.id) as wamids
         from conversation c join contact k on k.id = c.contact_id
        where c.workspace_id = ? and c.id in (select conversation_id from message where workspace_id = ? and wamid like ?)
        order by k.wa_id, c.opened_at`,
      [env.ws.workspaceId, env.ws.workspaceId, `${prefix}%`],
    );
    const consent = await env.db('consent as s').join('contact as k', 'k.id', 's.contact_id')
      .where('s.workspace_id', env.ws.workspaceId).whereIn('k.wa_id', numbers).orderBy('k.wa_id').select('k.wa_id', 's.status', 's.marketing', 's.changed_at');
    const changes = await env.db('contact_number_change as n').join('contact as k', 'k.id', 'n.contact_id')
      .where('n.workspace_id', env.ws.workspaceId).whereIn('n.old_wa_id', numbers).orderBy('n.changed_at')
      .select('n.old_wa_id', 'n.new_wa_id', 'n.changed_at', 'k.wa_id as mover');
    return { contacts, threads: threads.rows, consent, changes };
  }

  async function run(steps: Record<string, WebhookEnvelope[]>, order: string[]) {
    for (const name of order) {
      for (const envelope of steps[name] ?? []) await deliver(env.db, env.ws.workspaceId, envelope);
    }
  }

  const label = (order: string[]) => order.join(' → ');

  describe('X changes to Y at T; messages from X before and after T, from Y after T, a preference from X after T', () => {
    it.each(permutations(['old', 'change', 'fromY', 'afterX']).map((order) => [label(order), order] as const))('%s', async (_name, order) => {
      const { prefix, number } = newCase();
      const [x, y] = [number(1), number(2)];
      await run({
        old: [text(`${prefix}OLD1`, x, B), text(`${prefix}OLD2`, x, B + 100)],
        change: [numberChange(`${prefix}CHANGE`, x, y, B + 200)],
        fromY: [text(`${prefix}FROM_Y`, y, B + 300)],
        afterX: [text(`${prefix}AFTER_X`, x, B + 400), marketingStop(x, B + 500)],
      }, order);

      expect(await stateOf(prefix, [x, y])).toEqual({
        contacts: [
          { wa_id: x, user_id: null, profile_name: 'Customer', previous_wa_ids: [] },
          { wa_id: y, user_id: null, profile_name: 'Customer', previous_wa_ids: [x] },
        ],
        threads: [
          { wa_id: x, status: 'open', opened_at: at(B + 400), last_message_at: at(B + 400), last_inbound_at: at(B + 400), window_expires_at: at(B + 400 + DAY), wamids: [`${prefix}AFTER_X`] },
          {
            wa_id: y, status: 'open', opened_at: at(B), last_message_at: at(B + 300), last_inbound_at: at(B + 300), window_expires_at: at(B + 300 + DAY),
            wamids: [`${prefix}OLD1`, `${prefix}OLD2`, `${prefix}CHANGE`, `${prefix}FROM_Y`],
          },
        ],
        consent: [{ wa_id: x, status: 'unknown', marketing: 'stopped', changed_at: at(B + 500) }],
        changes: [{ old_wa_id: x, new_wa_id: y, changed_at: at(B + 200), mover: y }],
      });
      const moved = await conversationOf(env.db, env.ws.workspaceId, `${prefix}CHANGE`);
      expect((await audits(env.db, env.ws.workspaceId, 'contact.number_changed')).filter((a) => a.data.wamid === `${prefix}CHANGE`)).toEqual([
        { actor: `customer:${x}`, action: 'contact.number_changed', entity_type: 'contact', entity_id: moved.contact_id, data: { from: x, to: y, wamid: `${prefix}CHANGE` } },
      ]);
    });
  });

  describe('threads keep their quiet-period boundaries across the move (messages days apart)', () => {
    it.each(permutations(['old', 'change', 'fromY', 'afterX']).map((order) => [label(order), order] as const))('%s', async (_name, order) => {
      const { prefix, number } = newCase();
      const [x, y] = [number(1), number(2)];
      await run({
        old: [text(`${prefix}OLD1`, x, B), text(`${prefix}OLD2`, x, B + 100)],
        change: [numberChange(`${prefix}CHANGE`, x, y, B + 200)],
        fromY: [text(`${prefix}FROM_Y`, y, B + 2 * DAY)],
        afterX: [text(`${prefix}AFTER_X1`, x, B + HOUR), text(`${prefix}AFTER_X2`, x, B + 3 * DAY)],
      }, order);

      const { threads } = await stateOf(prefix, [x, y]);
      expect(threads.map(({ wa_id, status, opened_at, last_message_at, wamids }) => ({ wa_id, status, opened_at, last_message_at, wamids }))).toEqual([
        { wa_id: x, status: 'closed', opened_at: at(B + HOUR), last_message_at: at(B + HOUR), wamids: [`${prefix}AFTER_X1`] },
        { wa_id: x, status: 'open', opened_at: at(B + 3 * DAY), last_message_at: at(B + 3 * DAY), wamids: [`${prefix}AFTER_X2`] },
        { wa_id: y, status: 'closed', opened_at: at(B), last_message_at: at(B + 200), wamids: [`${prefix}OLD1`, `${prefix}OLD2`, `${prefix}CHANGE`] },
        { wa_id: y, status: 'open', opened_at: at(B + 2 * DAY), last_message_at: at(B + 2 * DAY), wamids: [`${prefix}FROM_Y`] },
      ]);
    });
  });

  describe('a number that changes hands twice: A moves X → Y at T1, B (X\'s next holder) moves X → Z at T2', () => {
    it.each(permutations(['fromA', 'fromB', 'change1', 'change2']).map((order) => [label(order), order] as const))('%s', async (_name, order) => {
      const { prefix, number } = newCase();
      const [x, y, z] = [number(1), number(2), number(3)];
      await run({
        fromA: [text(`${prefix}A_FROM_X`, x, B)],
        change1: [numberChange(`${prefix}CHANGE1`, x, y, B + 100)],
        fromB: [text(`${prefix}B_FROM_X`, x, B + 200)],
        change2: [numberChange(`${prefix}CHANGE2`, x, z, B + 300)],
      }, order);
      await run({ after: [text(`${prefix}A_FROM_Y`, y, B + 400), text(`${prefix}B_FROM_Z`, z, B + 500)] }, ['after']);

      const state = await stateOf(prefix, [x, y, z]);
      expect(state.contacts).toEqual([
        { wa_id: y, user_id: null, profile_name: 'Customer', previous_wa_ids: [x] },
        { wa_id: z, user_id: null, profile_name: 'Customer', previous_wa_ids: [x] },
      ]);
      expect(state.threads.map((th) => [th.wa_id, th.wamids])).toEqual([
        [y, [`${prefix}A_FROM_X`, `${prefix}CHANGE1`, `${prefix}A_FROM_Y`]],
        [z, [`${prefix}B_FROM_X`, `${prefix}CHANGE2`, `${prefix}B_FROM_Z`]],
      ]);
      expect(state.changes).toEqual([
        { old_wa_id: x, new_wa_id: y, changed_at: at(B + 100), mover: y },
        { old_wa_id: x, new_wa_id: z, changed_at: at(B + 300), mover: z },
      ]);
    });
  });

  describe('the rules one by one', () => {
    it('notice first: older messages from X go to the contact now at Y, later ones to a new contact at X', async () => {
      const { prefix, number } = newCase();
      const [x, y] = [number(1), number(2)];
      await deliver(env.db, env.ws.workspaceId, numberChange(`${prefix}CHANGE`, x, y, B + 200));
      const mover = await conversationOf(env.db, env.ws.workspaceId, `${prefix}CHANGE`);
      await deliver(env.db, env.ws.workspaceId, text(`${prefix}OLD`, x, B));
      expect((await conversationOf(env.db, env.ws.workspaceId, `${prefix}OLD`)).id).toBe(mover.id);
      await deliver(env.db, env.ws.workspaceId, text(`${prefix}AT_T`, x, B + 200));
      expect((await conversationOf(env.db, env.ws.workspaceId, `${prefix}AT_T`)).contact_id).toBe(mover.contact_id);
      await deliver(env.db, env.ws.workspaceId, text(`${prefix}AFTER`, x, B + 201));
      const after = await conversationOf(env.db, env.ws.workspaceId, `${prefix}AFTER`);
      expect(after.contact_id).not.toBe(mover.contact_id);
      expect(await env.db('contact').where({ workspace_id: env.ws.workspaceId, id: after.contact_id }).first('wa_id', 'wa_id_since')).toEqual({ wa_id: x, wa_id_since: at(B + 200) });
    });

    it('notice last: what X sent after T splits off to a new contact at X, audited; the rest moves to Y', async () => {
      const { prefix, number } = newCase();
      const [x, y] = [number(1), number(2)];
      await deliver(env.db, env.ws.workspaceId, text(`${prefix}OLD`, x, B));
      await deliver(env.db, env.ws.workspaceId, text(`${prefix}AFTER`, x, B + 400));
      const owner = await conversationOf(env.db, env.ws.workspaceId, `${prefix}OLD`);
      await deliver(env.db, env.ws.workspaceId, numberChange(`${prefix}CHANGE`, x, y, B + 200));
      const moved = await conversationOf(env.db, env.ws.workspaceId, `${prefix}OLD`);
      expect(moved).toMatchObject({ id: owner.id, contact_id: owner.contact_id, last_message_at: at(B + 200), last_inbound_at: at(B + 200) });
      const split = await conversationOf(env.db, env.ws.workspaceId, `${prefix}AFTER`);
      expect(split).toMatchObject({ status: 'open', opened_at: at(B + 400), last_message_at: at(B + 400) });
      expect(split.contact_id).not.toBe(owner.contact_id);
      expect(await audits(env.db, env.ws.workspaceId, 'contact.history_moved')).toEqual(expect.arrayContaining([
        expect.objectContaining({ entity_id: split.contact_id, data: { fromId: owner.contact_id, after: at(B + 200).toISOString(), upTo: null } }),
      ]));
    });

    it('a contact at X with only later history stays there: it is the number\'s new holder', async () => {
      const { prefix, number } = newCase();
      const [x, y] = [number(1), number(2)];
      await deliver(env.db, env.ws.workspaceId, text(`${prefix}AFTER`, x, B + 400));
      const holder = await conversationOf(env.db, env.ws.workspaceId, `${prefix}AFTER`);
      await deliver(env.db, env.ws.workspaceId, numberChange(`${prefix}CHANGE`, x, y, B + 200));
      expect((await conversationOf(env.db, env.ws.workspaceId, `${prefix}AFTER`)).id).toBe(holder.id);
      expect(await env.db('contact').where({ workspace_id: env.ws.workspaceId, id: holder.contact_id }).first('wa_id', 'wa_id_since', 'previous_wa_ids'))
        .toEqual({ wa_id: x, wa_id_since: at(B + 200), previous_wa_ids: [] });
      expect(await env.db('contact').where({ workspace_id: env.ws.workspaceId, wa_id: y }).first('previous_wa_ids')).toEqual({ previous_wa_ids: [x] });
    });

    it('a reaction sent from X before T is keyed by X whenever it arrives', async () => {
      const { prefix, number } = newCase();
      const [x, y] = [number(1), number(2)];
      await deliver(env.db, env.ws.workspaceId, text(`${prefix}FIRST`, x, B));
      const target = `${prefix}OUT`;
      await insertOutbound(env.db, env.ws.workspaceId, target, (await conversationOf(env.db, env.ws.workspaceId, `${prefix}FIRST`)).id);
      await deliver(env.db, env.ws.workspaceId, numberChange(`${prefix}CHANGE`, x, y, B + 200));
      const reaction = edit(fixture('inbound-reaction.json'), 'messages', (m) => {
        m.id = `${prefix}REACTION`;
        m.from = x;
        m.timestamp = String(B + 100);
        m.reaction = { message_id: target, emoji: '👍' };
      });
      await deliver(env.db, env.ws.workspaceId, reaction);
      expect((await messageByWamid(env.db, env.ws.workspaceId, target)).reactions).toEqual({ [x]: '👍' });
    });

    it('sent before T but arriving after the notice: a message with both ids and a preference go to the mover', async () => {
      const { prefix, number } = newCase();
      const [x, y] = [number(1), number(2)];
      await deliver(env.db, env.ws.workspaceId, numberChange(`${prefix}CHANGE`, x, y, B + 200));
      const mover = await conversationOf(env.db, env.ws.workspaceId, `${prefix}CHANGE`);
      const withUserId = edit(edit(text(`${prefix}BOTH_IDS`, x, B + 100), 'messages', (m) => {
        m.from_user_id = `user.${prefix}`;
      }), 'contacts', (c) => {
        c.user_id = `user.${prefix}`;
      });
      await deliver(env.db, env.ws.workspaceId, withUserId);
      expect((await conversationOf(env.db, env.ws.workspaceId, `${prefix}BOTH_IDS`)).contact_id).toBe(mover.contact_id);
      await deliver(env.db, env.ws.workspaceId, marketingStop(x, B + 150));
      expect(await env.db('consent').where({ workspace_id: env.ws.workspaceId, contact_id: mover.contact_id }).first('marketing')).toEqual({ marketing: 'stopped' });
      expect(await env.db('contact').where({ workspace_id: env.ws.workspaceId, wa_id: x })).toEqual([]);
    });

    it('if the contact who moved is deleted (its change record goes with it), X\'s holder takes the older messages', async () => {
      const { prefix, number } = newCase();
      const [x, y] = [number(1), number(2)];
      await deliver(env.db, env.ws.workspaceId, numberChange(`${prefix}CHANGE`, x, y, B + 200));
      await deliver(env.db, env.ws.workspaceId, text(`${prefix}AFTER`, x, B + 400));
      const holder = await conversationOf(env.db, env.ws.workspaceId, `${prefix}AFTER`);
      await env.db('contact').where({ workspace_id: env.ws.workspaceId, wa_id: y }).delete();
      await deliver(env.db, env.ws.workspaceId, text(`${prefix}OLD`, x, B));
      expect((await conversationOf(env.db, env.ws.workspaceId, `${prefix}OLD`)).contact_id).toBe(holder.contact_id);
    });

    it('a redelivered notice after a split changes nothing', async () => {
      const { prefix, number } = newCase();
      const [x, y] = [number(1), number(2)];
      await deliver(env.db, env.ws.workspaceId, text(`${prefix}OLD`, x, B));
      await deliver(env.db, env.ws.workspaceId, text(`${prefix}AFTER`, x, B + 400));
      await deliver(env.db, env.ws.workspaceId, numberChange(`${prefix}CHANGE`, x, y, B + 200));
      const before = await stateOf(prefix, [x, y]);
      const auditCount = (await audits(env.db, env.ws.workspaceId)).length;
      await deliver(env.db, env.ws.workspaceId, numberChange(`${prefix}CHANGE`, x, y, B + 200), { redeliver: true });
      expect(await stateOf(prefix, [x, y])).toEqual(before);
      expect(await audits(env.db, env.ws.workspaceId)).toHaveLength(auditCount);
    });
  });
});
