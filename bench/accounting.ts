import type { InboxProbe } from './bench-database';
import type { LoadRun } from './load-generator';
import { parseAnswer } from './load-summary';

/** What the database says about every event Threadline acknowledged, counted at the end of the run. */
export interface Accounting {
  postsSent: number;
  postsAcknowledged: number;
  /** Distinct events offered / acknowledged (by dedupe key). */
  eventsOffered: number;
  eventsAcknowledged: number;
  /** Acknowledged events with no inbox_event row (looked up by wamid, or wamid + status). */
  lost: number;
  lostSample: string[];
  duplicated: number;
  duplicates: {
    /** inbox_event rows for an event (same wamid, or wamid + status) stored already. */
    inboxRows: number;
    messageRows: number;
    statusRows: number;
    /** Redeliveries answered 200 with stored > 0 although an earlier delivery had been acknowledged. */
    storedAgainOnRedelivery: number;
  };
  /** inbox_event rows whose dedupe key the bench never sent (should be 0). */
  unexpectedRows: number;
  redeliveriesSent: number;
  redeliveriesAcknowledged: number;
  inbox: Record<string, number>;
  /** Events retried after a failure at least once. */
  retried: number;
  /** graphile-worker job churn over the whole run (pg_stat counters of the fresh database). */
  jobs: { inserted: number; updated: number; deleted: number; deadTuples: number; eventsPerDrainJob: number };
  processing: {
    inboundAcknowledged: number;
    inboundMessageRows: number;
    inboundMissing: number;
    inboundMissingSample: string[];
    statusesAcknowledged: number;
    statusRows: number;
    statusesMissing: number;
    statusesUnapplied: number;
    outboundByStatus: Record<string, number>;
    contacts: number;
    conversations: number;
  };
}

export async function account(probe: InboxProbe, runs: LoadRun[]): Promise<Accounting> {
  const offered = new Set<string>();
  const acknowledged = new Set<string>();
  const firstAck = new Map<number, number>();
  let postsSent = 0;
  let postsAcknowledged = 0;
  let redeliveriesSent = 0;
  let redeliveriesAcknowledged = 0;
  for (const run of runs) {
    for (const r of run.results) {
      postsSent++;
      if (r.post.redelivery) redeliveriesSent++;
      for (const e of r.post.events) offered.add(e.identity);
      if (r.status !== 200) continue;
      postsAcknowledged++;
      if (r.post.redelivery) redeliveriesAcknowledged++;
      for (const e of r.post.events) acknowledged.add(e.identity);
      firstAck.set(r.post.bodyId, Math.min(firstAck.get(r.post.bodyId) ?? Infinity, r.doneAt));
    }
  }
  let storedAgainOnRedelivery = 0;
  for (const run of runs) {
    for (const r of run.results) {
      if (r.status !== 200) continue;
      const earlier = firstAck.get(r.post.bodyId) ?? Infinity;
      const answer = parseAnswer(r.responseText);
      if (earlier < r.sentAt && answer && answer.stored > 0) storedAgainOnRedelivery += answer.stored;
    }
  }

  // Looked up by what the event is (wamid, or wamid + status), not by the server's dedupe_key
  // format, so a change of key scheme cannot hide a lost event.
  const rows = await probe.query<{ identity: string | null }>(
    `select case kind
              when 'message' then 'm:' || (payload->'message'->>'id')
              when 'status' then 's:' || (payload->'status'->>'id') || ':' || (payload->'status'->>'status')
            end as identity
       from inbox_event`,
  );
  const stored = new Set<string>();
  let inboxRows = 0;
  for (const { identity } of rows) {
    if (identity === null) continue;
    if (stored.has(identity)) inboxRows++;
    stored.add(identity);
  }
  const lostKeys = [...acknowledged].filter((k) => !stored.has(k));
  const unexpectedRows = [...stored].filter((k) => !offered.has(k)).length;

  const count = async (sql: string) => Number((await probe.query<{ n: string | number | null }>(sql))[0]?.n ?? 0);
  const messageRows = await count('select coalesce(sum(n - 1), 0) as n from (select count(*) as n from message group by workspace_id, wamid having count(*) > 1) d');
  const statusRows = await count('select coalesce(sum(n - 1), 0) as n from (select count(*) as n from message_status group by workspace_id, wamid, status having count(*) > 1) d');

  const inboundAcked = [...acknowledged].filter((k) => k.startsWith('m:')).map((k) => k.slice(2));
  const inboundRows = new Set((await probe.query<{ wamid: string }>("select wamid from message where direction = 'inbound'")).map((r) => r.wamid));
  const inboundMissing = inboundAcked.filter((w) => !inboundRows.has(w));
  const statusAcked = [...acknowledged].filter((k) => k.startsWith('s:'));
  const statusKeys = new Set((await probe.query<{ k: string }>("select 's:' || wamid || ':' || status as k from message_status")).map((r) => r.k));
  const outbound = await probe.query<{ status: string; n: string }>("select status, count(*) as n from message where direction = 'outbound' group by status");

  const [jobStats] = await probe.query<{ ins: string; upd: string; del: string; dead: string }>(
    `select n_tup_ins as ins, n_tup_upd as upd, n_tup_del as del, n_dead_tup as dead from pg_stat_all_tables
      where schemaname = 'graphile_worker' and relname = '_private_jobs'`,
  );
  const jobsInserted = Number(jobStats?.ins ?? 0);

  return {
    postsSent,
    postsAcknowledged,
    eventsOffered: offered.size,
    eventsAcknowledged: acknowledged.size,
    lost: lostKeys.length,
    lostSample: lostKeys.slice(0, 5),
    duplicated: inboxRows + messageRows + statusRows + storedAgainOnRedelivery,
    duplicates: { inboxRows, messageRows, statusRows, storedAgainOnRedelivery },
    unexpectedRows,
    redeliveriesSent,
    redeliveriesAcknowledged,
    inbox: await probe.inboxStates(),
    retried: await count('select count(*) as n from inbox_event where attempts > 0'),
    jobs: {
      inserted: jobsInserted,
      updated: Number(jobStats?.upd ?? 0),
      deleted: Number(jobStats?.del ?? 0),
      deadTuples: Number(jobStats?.dead ?? 0),
      eventsPerDrainJob: jobsInserted > 0 ? Math.round((stored.size / jobsInserted) * 10) / 10 : 0,
    },
    processing: {
      inboundAcknowledged: inboundAcked.length,
      inboundMessageRows: inboundRows.size,
      inboundMissing: inboundMissing.length,
      inboundMissingSample: inboundMissing.slice(0, 5),
      statusesAcknowledged: statusAcked.length,
      statusRows: statusKeys.size,
      statusesMissing: statusAcked.filter((k) => !statusKeys.has(k)).length,
      statusesUnapplied: await count('select count(*) as n from message_status where not applied'),
      outboundByStatus: Object.fromEntries(outbound.map((r) => [r.status, Number(r.n)])),
      contacts: await count('select count(*) as n from contact'),
      conversations: await count('select count(*) as n from conversation'),
    },
  };
}
