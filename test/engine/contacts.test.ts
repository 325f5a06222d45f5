import { resolveContact } from '../../core/engine/resolve-contact';
import {
  CUSTOMER, audits, conversationOf, deliver, edit, fixture, messageByWamid, textMessage, useEngineWorkspace,
} from './engine-harness';

interface ContactView {
  id: string;
  wa_id: string | null;
  user_id: string | null;
  username: string | null;
  country_code: string | null;
  profile_name: string | null;
  previous_wa_ids: string[];
  updated_at: Date;
}

const BSUID = 'user.fakebsuid0000000000000000000000000000000000000000000000000001';

describe('contacts: keyed on wa_id and on the business-scoped user id', () => {
  const env = useEngineWorkspace();

  const contacts = (where: Record<string, string>): Promise<ContactView[]> => env.db('contact').where({ workspace_id: env.ws.workspaceId, ...where });
  const contactOf = async (wamid: string): Promise<ContactView> => {
    const conversation = await conversationOf(env.db, env.ws.workspaceId, wamid);
    const row: ContactView | undefined = await env.db('contact').where({ workspace_id: env.ws.workspaceId, id: conversation.contact_id }).first();
    if (!row) throw new Error('no contact');
    return row;
  };

  it('creates the contact from the first message, with its profile name', async () => {
    await deliver(env.db, env.ws.workspaceId, fixture('inbound-text.json'));
    expect(await contacts({ wa_id: CUSTOMER })).toEqual([expect.objectContaining({ wa_id: CUSTOMER, user_id: null, profile_name: 'Test Customer', previous_wa_ids: [] })]);
  });

  it('follows a profile name change, and one contact it stays', async () => {
    const [before] = await contacts({ wa_id: CUSTOMER });
    await deliver(env.db, env.ws.workspaceId, textMessage({ id: 'wamid.RENAMED', body: 'new name', timestamp: 1_750_000_050, name: 'Test Customer Renamed' }));
    const after = await contacts({ wa_id: CUSTOMER });
    expect(after).toEqual([expect.objectContaining({ id: before?.id, profile_name: 'Test Customer Renamed' })]);
    expect(after[0]?.updated_at.getTime()).toBeGreaterThan(before?.updated_at.getTime() ?? Infinity);
  });

  it('a username user (empty wa_id and from): keyed on user_id, with username and country code', async () => {
    await deliver(env.db, env.ws.workspaceId, fixture('inbound-text-bsuid-username.json'));
    const contact = await contactOf('wamid.FAKE_IN_TEXT_BSUID_0001');
    expect(contact).toMatchObject({ wa_id: null, user_id: BSUID, username: '@fake.customer', country_code: 'US', profile_name: 'Test Customer' });
    expect(await messageByWamid(env.db, env.ws.workspaceId, 'wamid.FAKE_IN_TEXT_BSUID_0001')).toMatchObject({ text: 'Hello from a username user' });
  });

  it('links the phone number when a later message carries both ids: same contact, same thread', async () => {
    const before = await contactOf('wamid.FAKE_IN_TEXT_BSUID_0001');
    const both = edit(edit(fixture('inbound-text-bsuid-username.json'), 'messages', (m) => {
      m.id = 'wamid.BSUID_WITH_PHONE';
      m.from = '15550005555';
      m.timestamp = '1750002010';
    }), 'contacts', (c) => {
      c.wa_id = '15550005555';
    });
    await deliver(env.db, env.ws.workspaceId, both);
    const after = await contactOf('wamid.BSUID_WITH_PHONE');
    expect(after).toMatchObject({ id: before.id, wa_id: '15550005555', user_id: BSUID, username: '@fake.customer' });
    expect((await conversationOf(env.db, env.ws.workspaceId, 'wamid.BSUID_WITH_PHONE')).id).toBe((await conversationOf(env.db, env.ws.workspaceId, 'wamid.FAKE_IN_TEXT_BSUID_0001')).id);
    // Later messages by either id alone find the same contact.
    await deliver(env.db, env.ws.workspaceId, textMessage({ id: 'wamid.PHONE_ONLY_AFTER_LINK', body: 'by phone', timestamp: 1_750_002_020, from: '15550005555' }));
    expect((await contactOf('wamid.PHONE_ONLY_AFTER_LINK')).id).toBe(before.id);
  });

  it('merges two contacts that turn out to be one person: threads move, one live thread per number', async () => {
    await deliver(env.db, env.ws.workspaceId, textMessage({ id: 'wamid.MERGE_PHONE', body: 'by phone', timestamp: 1_750_003_000, from: '15550006666' }));
    const byUser = edit(edit(fixture('inbound-text-bsuid-username.json'), 'messages', (m) => {
      m.id = 'wamid.MERGE_USER';
      m.from_user_id = 'user.merge';
      m.timestamp = '1750003010';
    }), 'contacts', (c) => {
      c.user_id = 'user.merge';
      c.profile = { name: 'Merge Me', username: '@merge' };
    });
    await deliver(env.db, env.ws.workspaceId, byUser);
    const phoneContact = await contactOf('wamid.MERGE_PHONE');
    const userContact = await contactOf('wamid.MERGE_USER');
    expect(phoneContact.id).not.toBe(userContact.id);

    const both = edit(edit(byUser, 'messages', (m) => {
      m.id = 'wamid.MERGE_BOTH';
      m.from = '15550006666';
      m.timestamp = '1750003020';
    }), 'contacts', (c) => {
      c.wa_id = '15550006666';
    });
    await deliver(env.db, env.ws.workspaceId, both);
    const merged = await contactOf('wamid.MERGE_BOTH');
    expect(merged).toMatchObject({ id: phoneContact.id, wa_id: '15550006666', user_id: 'user.merge', username: '@merge', profile_name: 'Merge Me' });
    expect(await contacts({ user_id: 'user.merge' })).toHaveLength(1);
    expect((await contactOf('wamid.MERGE_USER')).id).toBe(phoneContact.id);
    const live = await env.db('conversation').where({ workspace_id: env.ws.workspaceId, contact_id: phoneContact.id }).whereNot('status', 'closed');
    expect(live).toHaveLength(1);
    expect(await audits(env.db, env.ws.workspaceId, 'contact.merged')).toEqual([
      expect.objectContaining({ entity_id: phoneContact.id, data: expect.objectContaining({ absorbedId: userContact.id }) }),
    ]);
  });

  describe('number change (system message, no contacts block)', () => {
    it('moves the contact to the new wa_id, remembers the old one, audits it and stores the notice', async () => {
      const before = await contactOf('wamid.FAKE_IN_TEXT_0001');
      await deliver(env.db, env.ws.workspaceId, fixture('inbound-system-user-changed-number.json'));
      const after = await contactOf('wamid.FAKE_IN_SYSTEM_0001');
      expect(after).toMatchObject({ id: before.id, wa_id: '15550004444', previous_wa_ids: [CUSTOMER], profile_name: 'Test Customer Renamed' });
      expect(await messageByWamid(env.db, env.ws.workspaceId, 'wamid.FAKE_IN_SYSTEM_0001')).toMatchObject({
        type: 'system',
        text: 'User Test Customer changed from 15550001111 to 15550004444',
        body: { type: 'system', system: { type: 'user_changed_number', wa_id: '15550004444' } },
      });
      expect(await audits(env.db, env.ws.workspaceId, 'contact.number_changed')).toEqual([
        { actor: `customer:${CUSTOMER}`, action: 'contact.number_changed', entity_type: 'contact', entity_id: before.id, data: { from: CUSTOMER, to: '15550004444', wamid: 'wamid.FAKE_IN_SYSTEM_0001' } },
      ]);
    });

    it('the next message from the new number continues the same contact and thread', async () => {
      await deliver(env.db, env.ws.workspaceId, textMessage({ id: 'wamid.FROM_NEW_NUMBER', body: 'new phone', timestamp: 1_750_001_900, from: '15550004444' }));
      expect((await contactOf('wamid.FROM_NEW_NUMBER')).id).toBe((await contactOf('wamid.FAKE_IN_TEXT_0001')).id);
      expect((await conversationOf(env.db, env.ws.workspaceId, 'wamid.FROM_NEW_NUMBER')).id).toBe((await conversationOf(env.db, env.ws.workspaceId, 'wamid.FAKE_IN_SYSTEM_0001')).id);
    });

    it('a redelivered notice changes nothing and is not audited twice', async () => {
      await deliver(env.db, env.ws.workspaceId, fixture('inbound-system-user-changed-number.json'), { redeliver: true });
      expect(await audits(env.db, env.ws.workspaceId, 'contact.number_changed')).toHaveLength(1);
      expect(await contacts({ wa_id: '15550004444' })).toEqual([expect.objectContaining({ previous_wa_ids: [CUSTOMER] })]);
    });

    it('accepts the older customer_changed_number name', async () => {
      await deliver(env.db, env.ws.workspaceId, textMessage({ id: 'wamid.OLD_NAME_FIRST', body: 'hi', timestamp: 1_750_004_000, from: '15550007777' }));
      const change = edit(fixture('inbound-system-user-changed-number.json'), 'messages', (m) => {
        m.id = 'wamid.OLD_NAME_CHANGE';
        m.from = '15550007777';
        m.timestamp = '1750004010';
        m.system = { body: 'changed', wa_id: '15550008888', type: 'customer_changed_number' };
      });
      await deliver(env.db, env.ws.workspaceId, change);
      expect(await contactOf('wamid.OLD_NAME_FIRST')).toMatchObject({ wa_id: '15550008888', previous_wa_ids: ['15550007777'] });
    });

    it('a message from the new number processed before the notice is merged into the old contact', async () => {
      await deliver(env.db, env.ws.workspaceId, textMessage({ id: 'wamid.OOO_OLD', body: 'old phone', timestamp: 1_750_005_000, from: '15550009991', name: 'Ooo' }));
      await deliver(env.db, env.ws.workspaceId, textMessage({ id: 'wamid.OOO_NEW', body: 'new phone', timestamp: 1_750_005_020, from: '15550009990', name: 'Ooo' }));
      const old = await contactOf('wamid.OOO_OLD');
      const change = edit(fixture('inbound-system-user-changed-number.json'), 'messages', (m) => {
        m.id = 'wamid.OOO_CHANGE';
        m.from = '15550009991';
        m.timestamp = '1750005010';
        m.system = { body: 'changed', wa_id: '15550009990', type: 'user_changed_number' };
      });
      await deliver(env.db, env.ws.workspaceId, change);
      expect(await contacts({ wa_id: '15550009990' })).toEqual([expect.objectContaining({ id: old.id, previous_wa_ids: ['15550009991'] })]);
      expect((await contactOf('wamid.OOO_NEW')).id).toBe(old.id);
      expect(await env.db('conversation').where({ workspace_id: env.ws.workspaceId, contact_id: old.id }).whereNot('status', 'closed')).toHaveLength(1);
    });
  });

  it('concurrent first messages for one new customer (two shards) make one contact', async () => {
    const identity = { waId: '15550001234', userId: null, profileName: 'Racer', username: null, countryCode: null };
    const [a, b] = await Promise.all([
      env.db.transaction((trx) => resolveContact(trx, env.ws.workspaceId, identity)),
      env.db.transaction((trx) => resolveContact(trx, env.ws.workspaceId, identity)),
    ]);
    expect(a?.id).toBe(b?.id);
    expect(await contacts({ wa_id: '15550001234' })).toHaveLength(1);
  });
});
