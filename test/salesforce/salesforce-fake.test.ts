import crypto from 'node:crypto';
import { Connection, OAuth2 } from 'jsforce';
import { fixtureApp, startSalesforceFake, toId18, type OrgInit, type SalesforceFake } from '../fakes/salesforce/salesforce-fake';

const callback = fixtureApp.callbackUrls[0] ?? '';
const verifier = crypto.randomBytes(48).toString('base64url'); // 64 characters
const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');

let fake: SalesforceFake;
let orgId: string;
let sandboxId: string;

beforeEach(async () => {
  fake = await startSalesforceFake({ orgs: [{}, { sandbox: true, myDomain: 'acme--uat' }] });
  [orgId, sandboxId] = [...fake.state.orgs.keys()] as [string, string];
});
afterEach(() => fake.stop());

/** A fresh fake whose first org has these settings. */
async function restart(init: OrgInit): Promise<SalesforceFake> {
  await fake.stop();
  const next = await startSalesforceFake({ orgs: [init] });
  orgId = [...next.state.orgs.keys()][0] ?? '';
  return next;
}

/** The browser leg: authorize, follow nothing, read the redirect. */
async function authorize(base: string, params: Record<string, string> = {}): Promise<Response> {
  const query = new URLSearchParams({ response_type: 'code', client_id: fixtureApp.clientId, redirect_uri: callback, scope: 'api refresh_token', state: 's1', code_challenge: challenge, code_challenge_method: 'S256', ...params });
  return fetch(`${base}/services/oauth2/authorize?${query}`, { redirect: 'manual' });
}

async function codeFrom(base = fake.loginUrl): Promise<string> {
  const res = await authorize(base);
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(location.searchParams.get('state')).toBe('s1');
  return location.searchParams.get('code') ?? '';
}

async function token(params: Record<string, string>, base = fake.loginUrl) {
  const res = await fetch(`${base}/services/oauth2/token`, { method: 'POST', body: new URLSearchParams({ client_id: fixtureApp.clientId, client_secret: fixtureApp.clientSecret, ...params }) });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

const exchange = (code: string, extra: Record<string, string> = {}, base?: string) => token({ grant_type: 'authorization_code', code, redirect_uri: callback, code_verifier: verifier, ...extra }, base);

async function api(method: string, path: string, body?: unknown, accessToken = fake.state.issueTokens(orgId).accessToken) {
  const res = await fetch(`${fake.instanceUrlFor(orgId)}/services/data/v62.0${path}`, {
    method,
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, headers: res.headers, body: json ? (JSON.parse(text) as unknown) : text };
}

describe('OAuth (web server flow, PKCE, rotation)', () => {
  it('exchanges a code with verifier and secret, and the identity URL names org and user', async () => {
    const { status, body } = await exchange(await codeFrom());
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', instance_url: fake.instanceUrlFor(orgId), scope: 'api refresh_token' });
    const org = fake.state.org(orgId);
    expect(body.id).toBe(`${fake.loginUrl}/id/${orgId}/${org.userId}`);
    expect(body.signature).toBe(crypto.createHmac('sha256', fixtureApp.clientSecret).update(`${body.id}${body.issued_at}`).digest('base64'));
    const me = await fetch(`${body.instance_url}/services/oauth2/userinfo`, { headers: { authorization: `Bearer ${body.access_token}` } });
    expect(await me.json()).toMatchObject({ organization_id: orgId, user_id: org.userId });
  });

  it('refuses an authorize request without an S256 challenge, redirecting with the error', async () => {
    for (const params of [{ code_challenge: '' }, { code_challenge_method: 'plain' }] as Array<Record<string, string>>) {
      const location = new URL((await authorize(fake.loginUrl, params)).headers.get('location') ?? '');
      expect(location.searchParams.get('error')).toBe('invalid_request');
    }
    const page = await authorize(fake.loginUrl, { redirect_uri: 'https://evil.example/cb' });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('redirect_uri_mismatch');
  });

  it('answers PKCE and client errors as Salesforce does, and a code is single use', async () => {
    expect(await exchange(await codeFrom(), { code_verifier: '' })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    const missing = await token({ grant_type: 'authorization_code', code: await codeFrom(), redirect_uri: callback });
    expect(missing).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'invalid code verifier' } });
    expect(await exchange(await codeFrom(), { code_verifier: 'x'.repeat(64) })).toEqual({ status: 400, body: { error: 'invalid_request', error_description: 'invalid code verifier' } });
    expect(await exchange(await codeFrom(), { client_secret: 'wrong' })).toEqual({ status: 400, body: { error: 'invalid_client', error_description: 'invalid client credentials' } });
    const code = await codeFrom();
    expect((await exchange(code)).status).toBe(200);
    expect(await exchange(code)).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'invalid authorization code' } });
  });

  it('rotates refresh tokens, and reusing a rotated one revokes the whole family', async () => {
    const first = (await exchange(await codeFrom())).body;
    const second = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    const reuse = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' });
    expect(reuse).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'expired access/refresh token' } });
    expect((await token({ grant_type: 'refresh_token', refresh_token: second.body.refresh_token ?? '' })).status).toBe(400);
    expect((await api('GET', '/limits', undefined, second.body.access_token)).status).toBe(401);
  });

  it('expires idle sessions after 2 h and idle refresh tokens after 30 days; revoke kills the family', async () => {
    const { accessToken, refreshToken } = fake.state.issueTokens(orgId);
    fake.state.advanceTime(2 * 3_600_000 + 1);
    expect(await api('GET', '/limits', undefined, accessToken)).toMatchObject({ status: 401, body: [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }] });
    fake.state.advanceTime(30 * 86_400_000);
    expect((await token({ grant_type: 'refresh_token', refresh_token: refreshToken })).body.error).toBe('invalid_grant');
    const live = fake.state.issueTokens(orgId);
    const revoke = await fetch(`${fake.loginUrl}/services/oauth2/revoke`, { method: 'POST', body: new URLSearchParams({ token: live.refreshToken }) });
    expect(revoke.status).toBe(200);
    expect((await api('GET', '/limits', undefined, live.accessToken)).status).toBe(401);
    const again = await fetch(`${fake.loginUrl}/services/oauth2/revoke`, { method: 'POST', body: new URLSearchParams({ token: live.refreshToken }) });
    expect(await again.json()).toEqual({ error: 'invalid_token', error_description: 'invalid token' });
  });

  it('logs a sandbox user in at the sandbox host or its My Domain, never at production', async () => {
    fake.state.loggingInOrgId = sandboxId;
    expect((await authorize(fake.loginUrl)).status).toBe(200); // the login page stays up
    const { body } = await exchange(await codeFrom(fake.sandboxLoginUrl), {}, fake.sandboxLoginUrl);
    expect(body.id).toBe(`${fake.sandboxLoginUrl}/id/${sandboxId}/${fake.state.org(sandboxId).userId}`);
    expect((await token({ grant_type: 'refresh_token', refresh_token: body.refresh_token ?? '' })).body.error).toBe('invalid_grant');
    const viaDomain = await exchange(await codeFrom(fake.myDomainUrl('acme--uat')), {}, fake.myDomainUrl('acme--uat'));
    expect(viaDomain.body.instance_url).toBe(fake.instanceUrlFor(sandboxId));
  });
});

describe('REST', () => {
  it('creates with required-field validation and answers array error bodies', async () => {
    expect(await api('POST', '/sobjects/Lead', { LastName: 'Ng' })).toMatchObject({
      status: 400,
      body: [{ errorCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Company]', fields: ['Company'] }],
    });
    expect(await api('POST', '/sobjects/Case', { Origin: 'WhatsApp' })).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['Origin'] }] });
    expect(await api('POST', '/sobjects/Contact', { LastName: 'Ng', Name: 'x' })).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['Name'] }] });
    const created = await api('POST', '/sobjects/Lead', { LastName: 'Ng', Company: 'WhatsApp' });
    expect(created).toMatchObject({ status: 201, body: { success: true, errors: [] } });
    expect((created.body as { id: string }).id).toMatch(/^00Q[a-zA-Z0-9]{15}$/);
  });

  it('validates Case origin, record type and queue owner against the org', async () => {
    const [queue, recordType] = ['00G5g000001AbCd', '0125g000000XyZa']; // 15-character ids, stored as 18
    fake = await restart({ caseOrigins: ['Phone', 'WhatsApp'], queueIds: [queue], caseRecordTypeIds: [recordType] });
    const created = await api('POST', '/sobjects/Case', { Origin: 'WhatsApp', OwnerId: queue, RecordTypeId: recordType, SuppliedPhone: '447700900000' });
    expect(created.status).toBe(201);
    expect(fake.state.org(orgId).all('Case')).toEqual([expect.objectContaining({ Status: 'New', OwnerId: toId18(queue), CaseNumber: '00001001', IsClosed: false })]);
    expect(await api('POST', '/sobjects/Case', { Origin: 'WhatsApp', OwnerId: '00G5g000009ZzZz' })).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_CROSS_REFERENCE_KEY', fields: ['OwnerId'] }] });
    expect(await api('POST', '/sobjects/Case', { ContactId: (created.body as { id: string }).id })).toMatchObject({ status: 400, body: [{ errorCode: 'FIELD_INTEGRITY_EXCEPTION', fields: ['ContactId'] }] });
  });

  it('queries strictly: =, IN, LIKE, LIMIT; MALFORMED_QUERY and INVALID_FIELD otherwise', async () => {
    for (const [last, phone] of [['Ada', '+44 20 7946 0000'], ['Bo', '(415) 555-1212'], ["O'Neil", '+1 415 555 0000']]) await api('POST', '/sobjects/Contact', { LastName: last, Phone: phone });
    const q = (soql: string) => api('GET', `/query?q=${encodeURIComponent(soql)}`);
    expect((await q("SELECT Id, LastName FROM Contact WHERE LastName = 'o\\'neil'")).body).toMatchObject({ totalSize: 1, done: true, records: [{ attributes: { type: 'Contact' }, LastName: "O'Neil" }] });
    expect((await q("SELECT LastName FROM Contact WHERE LastName IN ('Ada', 'Bo') ORDER BY LastName DESC LIMIT 1")).body).toMatchObject({ totalSize: 1, records: [{ LastName: 'Bo' }] });
    expect((await q("SELECT Id FROM Contact WHERE Phone LIKE '+1%'")).body).toMatchObject({ totalSize: 1 });
    expect(await q('SELECT Id FROM Contact WHERE')).toMatchObject({ status: 400, body: [{ errorCode: 'MALFORMED_QUERY' }] });
    expect(await q("SELECT Id FROM Contact WHERE LastName = 'a' AND Phone = 'b' OR Email = 'c'")).toMatchObject({ status: 400, body: [{ errorCode: 'MALFORMED_QUERY' }] });
    expect(await q('SELECT Nope__c FROM Contact')).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_FIELD' }] });
    expect(await q('SELECT Id FROM Nope__c')).toMatchObject({ status: 400, body: [{ errorCode: 'INVALID_TYPE' }] });
  });

  it('finds a new record with SOSL only after the index lag', async () => {
    await api('POST', '/sobjects/Lead', { LastName: 'Ng', Company: 'WA', MobilePhone: '+1 (415) 555-1212' });
    const sosl = encodeURIComponent('FIND {4155551212} IN PHONE FIELDS RETURNING Contact(Id), Lead(Id, LastName WHERE IsConverted = false)');
    expect((await api('GET', `/search?q=${sosl}`)).body).toEqual({ searchRecords: [] });
    fake.state.advanceTime(15 * 60_000);
    expect((await api('GET', `/search?q=${sosl}`)).body).toMatchObject({ searchRecords: [{ attributes: { type: 'Lead' }, LastName: 'Ng' }] });
    expect(await api('GET', `/search?q=${encodeURIComponent('FIND {+14155551212} RETURNING Lead')}`)).toMatchObject({ status: 400, body: [{ errorCode: 'MALFORMED_SEARCH' }] });
  });

  it('upserts messages by wamid through collections with per-record results and allOrNone rollback', async () => {
    const conversation = (await api('POST', '/sobjects/WhatsApp_Conversation__c', { Conversation_Key__c: 'pn1:447700900000' })).body as { id: string };
    const message = (wamid: string, extra: Record<string, unknown> = {}) => ({ attributes: { type: 'WhatsApp_Message__c' }, Wamid__c: wamid, Conversation__c: conversation.id, Direction__c: 'Inbound', ...extra });
    const first = await api('PATCH', '/composite/sobjects/WhatsApp_Message__c/Wamid__c', { allOrNone: false, records: [message('wamid.A'), message('wamid.B', { Direction__c: 'Sideways' })] });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject([
      { success: true, created: true, errors: [] },
      { success: false, id: null, errors: [{ statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['Direction__c'] }] },
    ]);
    const again = await api('PATCH', '/composite/sobjects/WhatsApp_Message__c/Wamid__c', { allOrNone: true, records: [message('wamid.A', { Status__c: 'read' }), message('wamid.C', { Conversation__c: undefined })] });
    expect(again.body).toMatchObject([
      { success: false, errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK' }] },
      { success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['Conversation__c'] }] },
    ]);
    const stored = fake.state.org(orgId).all('WhatsApp_Message__c');
    expect(stored.map((m) => [m.Wamid__c, m.Status__c])).toEqual([['wamid.A', undefined]]);
    const tooMany = await api('POST', '/composite/sobjects', { records: Array.from({ length: 201 }, (_, i) => message(`w${i}`)) });
    expect(tooMany).toMatchObject({ status: 400, body: [{ errorCode: 'EXCEEDED_ID_LIMIT' }] });
  });

  it('runs composite subrequests with references, and rolls back with allOrNone', async () => {
    const lead = { method: 'POST', url: '/services/data/v62.0/sobjects/Lead', referenceId: 'lead', body: { LastName: 'Ng', Company: 'WA' } };
    const conv = { method: 'POST', url: '/services/data/v62.0/sobjects/WhatsApp_Conversation__c', referenceId: 'conv', body: { Lead__c: '@{lead.id}' } };
    const ok = await api('POST', '/composite', { compositeRequest: [lead, conv] });
    expect(ok.body).toMatchObject({ compositeResponse: [{ httpStatusCode: 201, referenceId: 'lead' }, { httpStatusCode: 201, referenceId: 'conv' }] });
    const [saved] = fake.state.org(orgId).all('WhatsApp_Conversation__c');
    expect(saved?.Lead__c).toBe((ok.body as { compositeResponse: Array<{ body: { id: string } }> }).compositeResponse[0]?.body.id);
    const bad = { method: 'POST', url: '/services/data/v62.0/sobjects/Case', referenceId: 'case', body: { Origin: 'WhatsApp' } };
    const failed = await api('POST', '/composite', { allOrNone: true, compositeRequest: [lead, bad] });
    expect(failed.body).toMatchObject({ compositeResponse: [{ httpStatusCode: 400, body: [{ errorCode: 'PROCESSING_HALTED' }] }, { httpStatusCode: 400, body: [{ errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' }] }] });
    expect(fake.state.org(orgId).all('Lead')).toHaveLength(1);
  });

  it('counts the daily limit: Sforce-Limit-Info on answers, 403 REQUEST_LIMIT_EXCEEDED when spent, never 429', async () => {
    const org = fake.state.org(orgId);
    org.dailyApiLimit = 100;
    const first = await api('GET', '/limits');
    expect(first.headers.get('sforce-limit-info')).toBe('api-usage=1/100');
    org.spendApiCalls(99);
    expect(await api('GET', '/limits')).toMatchObject({ status: 403, body: [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }] });
    fake.state.advanceTime(86_400_000);
    expect((await api('GET', '/limits')).status).toBe(200);
  });

  it('refuses another org’s token on this instance, scripted failures and outages', async () => {
    const other = fake.state.issueTokens(sandboxId).accessToken;
    expect(await api('GET', '/limits', undefined, other)).toMatchObject({ status: 401, body: [{ errorCode: 'INVALID_SESSION_ID' }] });
    fake.state.failNext(1, 'server_error', { scope: 'api' });
    expect((await api('GET', '/limits')).status).toBe(500);
    fake.state.setOutage(true);
    expect(await api('GET', '/limits')).toMatchObject({ status: 503, body: expect.stringContaining('Service Unavailable') });
  });
});

it('namespaces the packaged objects and fields when started with a namespace', async () => {
  const namespaced = await startSalesforceFake({ namespace: 'ns' });
  try {
    const [id] = [...namespaced.state.orgs.keys()];
    const { accessToken } = namespaced.state.issueTokens(id ?? '');
    const q = (soql: string) => fetch(`${namespaced.instanceUrlFor(id ?? '')}/services/data/v62.0/query?q=${encodeURIComponent(soql)}`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect((await q('SELECT ns__Wamid__c FROM ns__WhatsApp_Message__c')).status).toBe(200);
    expect(await (await q('SELECT Wamid__c FROM WhatsApp_Message__c')).json()).toMatchObject([{ errorCode: 'INVALID_TYPE' }]);
  } finally {
    await namespaced.stop();
  }
});

describe('jsforce 3.10.16 against the fake', () => {
  function connection(tokens: { accessToken: string; refreshToken: string }) {
    return new Connection({
      instanceUrl: fake.instanceUrlFor(orgId),
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      version: '62.0',
      oauth2: new OAuth2({ clientId: fixtureApp.clientId, clientSecret: fixtureApp.clientSecret, redirectUri: callback, loginUrl: fake.loginUrl }),
    });
  }

  it('queries, inserts and upserts through collections, and parses errors and limit info', async () => {
    const conn = connection(fake.state.issueTokens(orgId));
    const created = await conn.sobject('Contact').create([{ LastName: 'Ada' }, { FirstName: 'No last name' }]);
    expect(created.map((r) => r.success)).toEqual([true, false]);
    const result = await conn.query<{ Name: string }>("SELECT Id, Name FROM Contact WHERE LastName = 'Ada'");
    expect(result.records.map((r) => r.Name)).toEqual(['Ada']);
    expect(conn.limitInfo.apiUsage).toEqual({ used: 2, limit: 15_000 });
    const conv = await conn.sobject('WhatsApp_Conversation__c').create({ Conversation_Key__c: 'k1' });
    const upserted = await conn.sobject('WhatsApp_Message__c').upsert([{ Wamid__c: 'wamid.1', Conversation__c: conv.id }], 'Wamid__c');
    expect(upserted).toMatchObject([{ success: true, created: true }]);
    await expect(conn.query('SELECT FROM Contact')).rejects.toMatchObject({ errorCode: 'MALFORMED_QUERY' });
  });

  it('refreshes on 401 against the fake (and keeps the rotated refresh token only if the caller saves it)', async () => {
    const tokens = fake.state.issueTokens(orgId);
    const conn = connection(tokens);
    let rotated: string | undefined;
    conn.on('refresh', (_accessToken: string, res: { refresh_token?: string }) => {
      rotated = res.refresh_token;
    });
    fake.state.advanceTime(2 * 3_600_000 + 1);
    expect((await conn.query('SELECT Id FROM Contact')).totalSize).toBe(0);
    expect(rotated).toBeDefined();
    expect(conn.refreshToken).toBe(tokens.refreshToken); // jsforce drops the rotated token (reference §1.6)
  });
});
