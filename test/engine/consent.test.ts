import { setConsent } from '../../core/engine/set-consent';
import {
  CUSTOMER, at, audits, conversationOf, deliver, edit, fixture, insertId, textMessage, updateNumber, useEngineWorkspace,
} from './engine-harness';

interface ConsentView {
  status: string;
  marketing: string;
  source: string;
  changed_at: Date;
}

describe('consent: keywords, WhatsApp preferences and the admin command, each audited', () => {
  const env = useEngineWorkspace();

  let seq = 0;
  const send = async (from: string, body: string, timestamp = 1_750_000_000 + ++seq): Promise<string> => {
    const id = `wamid.CONSENT_${++seq}`;
    await deliver(env.db, env.ws.workspaceId, textMessage({ id, body, timestamp, from }));
    return (await conversationOf(env.db, env.ws.workspaceId, id)).contact_id;
  };
  const consentOf = async (contactId: string): Promise<ConsentView | undefined> =>
    env.db('consent').where({ workspace_id: env.ws.workspaceId, contact_id: contactId, whatsapp_number_id: env.ws.numberId }).first('status', 'marketing', 'source', 'changed_at');
  const auditsOf = async (contactId: string) => (await audits(env.db, env.ws.workspaceId)).filter((a) => a.entity_id === contactId && a.action.startsWith('consent.'));

  it('a customer writing first records no consent at all', async () => {
    const contact = await send('15550020001', 'Hi there');
    expect(await consentOf(contact)).toBeUndefined();
  });

  it('STOP opts out (source keyword, the message time), audited as the customer', async () => {
    const contact = await send('15550020002', 'STOP', 1_750_000_500);
    expect(await consentOf(contact)).toEqual({ status: 'opted_out', marketing: 'subscribed', source: 'keyword', changed_at: at(1_750_000_500) });
    expect(await auditsOf(contact)).toEqual([{
      actor: 'customer:15550020002', action: 'consent.opted_out', entity_type: 'contact', entity_id: contact,
      data: { whatsappNumberId: env.ws.numberId, source: 'keyword', keyword: 'STOP', wamid: expect.stringMatching(/^wamid\.CONSENT_/) },
    }]);
  });

  it('START opts back in; a repeated START changes nothing and is not audited again', async () => {
    const contact = await send('15550020002', 'start', 1_750_000_600);
    expect(await consentOf(contact)).toMatchObject({ status: 'opted_in', source: 'keyword', changed_at: at(1_750_000_600) });
    await send('15550020002', 'START', 1_750_000_700);
    expect((await auditsOf(contact)).map((a) => a.action)).toEqual(['consent.opted_out', 'consent.opted_in']);
  });

  it('a late STOP older than the recorded START does not undo it', async () => {
    const contact = await send('15550020002', 'STOP', 1_750_000_550);
    expect(await consentOf(contact)).toMatchObject({ status: 'opted_in', changed_at: at(1_750_000_600) });
  });

  it.each([
    [' stop ', 'opted_out'], ['Unsubscribe', 'opted_out'], ['STOPP', 'opted_out'], ['arrêt', 'opted_out'], ['ARRET', 'opted_out'],
    ['Parar', 'opted_out'], ['baja', 'opted_out'], ['ALTO', 'opted_out'], ['cancelar', 'opted_out'], ['Abmelden', 'opted_out'],
    ['SUBSCRIBE', 'opted_in'], ['unstop', 'opted_in'], ['Comenzar', 'opted_in'], ['INICIAR', 'opted_in'], ['anmelden', 'opted_in'],
  ])('keyword %j → %s', async (word, status) => {
    const contact = await send(`1555003${String(++seq).padStart(4, '0')}`, word);
    expect(await consentOf(contact)).toMatchObject({ status, source: 'keyword' });
  });

  it('a keyword inside a sentence is just a message', async () => {
    const contact = await send('15550020003', 'please stop sending me the wrong size');
    expect(await consentOf(contact)).toBeUndefined();
  });

  it('the number\'s own keywords replace the defaults', async () => {
    await updateNumber(env.db, env.ws, { consent_keywords: JSON.stringify({ stop: ['HALT'], start: ['GO ON'] }) });
    try {
      const contact = await send('15550020004', 'STOP');
      expect(await consentOf(contact)).toBeUndefined();
      await send('15550020004', 'halt');
      expect(await consentOf(contact)).toMatchObject({ status: 'opted_out' });
      await send('15550020004', 'go on');
      expect(await consentOf(contact)).toMatchObject({ status: 'opted_in' });
    } finally {
      await updateNumber(env.db, env.ws, { consent_keywords: null });
    }
  });

  describe('user_preferences webhook (marketing messages)', () => {
    let contact: string;
    it('stop: marketing stopped, without pretending an opt-in', async () => {
      await deliver(env.db, env.ws.workspaceId, fixture('user-preferences-stop.json'));
      const row: { id: string } | undefined = await env.db('contact').where({ workspace_id: env.ws.workspaceId, wa_id: CUSTOMER }).first('id');
      contact = row?.id ?? '';
      expect(await consentOf(contact)).toEqual({ status: 'unknown', marketing: 'stopped', source: 'user_preferences', changed_at: at(1750004100) });
      expect(await auditsOf(contact)).toEqual([{
        actor: `customer:${CUSTOMER}`, action: 'consent.marketing_stopped', entity_type: 'contact', entity_id: contact,
        data: { whatsappNumberId: env.ws.numberId, source: 'user_preferences', detail: 'User requested to stop marketing messages' },
      }]);
    });

    it('resume: subscribed again; a redelivered older stop does not undo it', async () => {
      const resume = edit(fixture('user-preferences-stop.json'), 'user_preferences', (p) => {
        p.value = 'resume';
        p.timestamp = 1750004200;
        p.detail = 'User requested to resume marketing messages';
      });
      await deliver(env.db, env.ws.workspaceId, resume);
      expect(await consentOf(contact)).toMatchObject({ marketing: 'subscribed', source: 'user_preferences', changed_at: at(1750004200) });
      await deliver(env.db, env.ws.workspaceId, fixture('user-preferences-stop.json'), { redeliver: true });
      expect(await consentOf(contact)).toMatchObject({ marketing: 'subscribed' });
      expect((await auditsOf(contact)).map((a) => a.action)).toEqual(['consent.marketing_stopped', 'consent.marketing_subscribed']);
    });

    it('a STOP keyword later keeps the marketing preference and opts out', async () => {
      await send(CUSTOMER, 'STOP', 1750004300);
      expect(await consentOf(contact)).toMatchObject({ status: 'opted_out', marketing: 'subscribed', source: 'keyword' });
    });
  });

  describe('setConsent (admin API)', () => {
    it('records an explicit opt-in, audited as the admin', async () => {
      const contact = await send('15550020005', 'hello');
      const row = await setConsent(env.db, env.ws.workspaceId, { contactId: contact, whatsappNumberId: env.ws.numberId, change: { field: 'status', value: 'opted_in' }, actor: 'admin-token', note: 'signed form' });
      expect(row).toMatchObject({ status: 'opted_in', source: 'admin', contact_id: contact });
      expect(await auditsOf(contact)).toEqual([expect.objectContaining({ actor: 'admin-token', action: 'consent.opted_in', data: expect.objectContaining({ source: 'admin', note: 'signed form' }) })]);
      // Unchanged: the current row, no second audit.
      expect(await setConsent(env.db, env.ws.workspaceId, { contactId: contact, whatsappNumberId: env.ws.numberId, change: { field: 'status', value: 'opted_in' }, actor: 'admin-token' })).toMatchObject({ status: 'opted_in' });
      expect(await auditsOf(contact)).toHaveLength(1);
    });

    it('null outside the workspace', async () => {
      const contact = await send('15550020006', 'hello');
      const other = await insertId(env.db, 'workspace', { name: 'other', slug: 'other-consent' });
      expect(await setConsent(env.db, other, { contactId: contact, whatsappNumberId: env.ws.numberId, change: { field: 'status', value: 'opted_in' }, actor: 'admin-token' })).toBeNull();
      expect(await setConsent(env.db, env.ws.workspaceId, { contactId: 'nope', whatsappNumberId: env.ws.numberId, change: { field: 'status', value: 'opted_in' }, actor: 'admin-token' })).toBeNull();
      expect(await consentOf(contact)).toBeUndefined();
    });
  });
});
