import { Client } from 'pg';
import { connectDb } from '../core/db/connect';
import { migrate } from '../core/db/migrate';
import { ensureWorkspace } from '../core/workspace/ensure-workspace';
import { PHONE_NUMBER_ID, WABA_ID, type CustomerSeed, type OutboundSeed } from './fixture-mix';

/** The run's own database, created from the admin connection and dropped at the end. */
export interface BenchDatabase {
  name: string;
  url: string;
  adminUrl: string;
}

export function databaseUrlFor(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'threadline-bench' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const name = `tl_bench_${stamp}`;
  await withClient(adminUrl, (c) => c.query(`create database "${name}"`));
  return { name, url: databaseUrlFor(adminUrl, name), adminUrl };
}

export async function dropBenchDatabase(database: BenchDatabase): Promise<void> {
  await withClient(database.adminUrl, (c) => c.query(`drop database if exists "${database.name}" with (force)`));
}

export interface ServerInfo {
  version: string;
  settings: Record<string, string>;
}

export async function serverInfo(url: string): Promise<ServerInfo> {
  return withClient(url, async (c) => {
    const version = await c.query<{ v: string }>('select version() as v');
    const settings = await c.query<{ name: string; setting: string; unit: string | null }>(
      `select name, setting, unit from pg_settings
        where name in ('fsync', 'synchronous_commit', 'shared_buffers', 'max_connections', 'wal_sync_method', 'commit_delay')`,
    );
    return {
      version: version.rows[0]?.v ?? 'unknown',
      settings: Object.fromEntries(settings.rows.map((r) => [r.name, r.unit ? `${r.setting} (${r.unit})` : r.setting])),
    };
  });
}

/**
 * Migrates, creates the default workspace, registers the fixtures' number (read receipts off, so
 * the worker never calls Meta) and seeds what exists before any webhook in real life: contacts
 * and live threads of customers the business has written to, and the outbound messages that
 * status webhooks will refer to.
 */
export async function prepareBenchDatabase(url: string, customers: CustomerSeed[], outbound: OutboundSeed[], baseTime: number): Promise<{ workspaceId: string }> {
  const db = connectDb(url, { poolMax: 2 });
  try {
    await migrate(db, url);
    const workspace = await ensureWorkspace(db);
    const [number]: { id: string }[] = await db('whatsapp_number').insert({
      workspace_id: workspace.id,
      phone_number_id: PHONE_NUMBER_ID,
      waba_id: WABA_ID,
      display_phone_number: '15550002222',
      verified_name: 'Threadline Bench',
      access_token_sealed: 'not-a-real-token (the bench never calls Meta)',
      read_receipts: 'never',
    }).returning('id');
    if (!number) throw new Error('number not inserted');
    const seededAt = new Date((baseTime - 600) * 1000).toISOString();
    await db.raw(
      `with c as (
         insert into contact (workspace_id, wa_id, profile_name)
         select ?, w, n from unnest(?::text[], ?::text[]) as t(w, n)
         returning id, wa_id
       )
       insert into conversation (workspace_id, contact_id, whatsapp_number_id, status, opened_at, last_message_at)
       select ?, c.id, ?, 'open', ?, ? from c`,
      [workspace.id, customers.map((c) => c.waId), customers.map((c) => c.profileName), workspace.id, number.id, seededAt, seededAt],
    );
    for (let i = 0; i < outbound.length; i += 5_000) {
      const chunk = outbound.slice(i, i + 5_000);
      await db.raw(
        `insert into message (workspace_id, conversation_id, wamid, direction, type, body, text, status, sent_at)
         select ?, conv.id, o.wamid, 'outbound', 'text', jsonb_build_object('type', 'text', 'text', jsonb_build_object('body', 'Your order is on its way')),
                'Your order is on its way', 'pending', to_timestamp(o.at)
           from unnest(?::text[], ?::text[], ?::bigint[]) as o(wamid, wa_id, at)
           join contact ct on ct.workspace_id = ? and ct.wa_id = o.wa_id
           join conversation conv on conv.contact_id = ct.id and conv.status <> 'closed'`,
        [workspace.id, chunk.map((o) => o.wamid), chunk.map((o) => o.waId), chunk.map((o) => o.sentAt), workspace.id],
      );
    }
    await db.raw('analyze');
    return { workspaceId: workspace.id };
  } finally {
    await db.destroy();
  }
}

/** A connection the bench keeps open to watch the inbox while load runs. */
export class InboxProbe {
  private constructor(private readonly client: Client) {}

  static async open(url: string): Promise<InboxProbe> {
    const client = new Client({ connectionString: url, application_name: 'threadline-bench-probe' });
    await client.connect();
    return new InboxProbe(client);
  }

  private async number(sql: string, params: unknown[] = []): Promise<number> {
    const result = await this.client.query<{ n: string | number | null }>(sql, params);
    return Number(result.rows[0]?.n ?? 0);
  }

  /** Cheap: reads the partial index on pending events, whose size is the backlog. */
  pending(): Promise<number> {
    return this.number("select count(*) as n from inbox_event where state = 'pending'");
  }

  /**
   * Between phases: vacuum and checkpoint now, so autovacuum and checkpoint writes caused by one
   * phase do not land in the next one's measurement (the baseline's included).
   */
  async settle(): Promise<void> {
    await this.client.query('vacuum (analyze) inbox_event, message, message_status, conversation, contact, graphile_worker._private_jobs, graphile_worker._private_job_queues');
    await this.client.query('checkpoint').catch(() => undefined); // needs superuser or pg_checkpoint
  }

  /** Databases other than ours with running queries on this server (another benchmark, tests). */
  async foreignActivity(ours: string): Promise<string[]> {
    const result = await this.client.query<{ datname: string; n: string }>(
      `select datname, count(*) as n from pg_stat_activity
        where datname is not null and datname <> $1 and pid <> pg_backend_pid() and state in ('active', 'idle in transaction')
        group by datname`,
      [ours],
    );
    return result.rows.map((r) => `${r.datname} (${r.n})`);
  }

  maxId(): Promise<number> {
    return this.number('select coalesce(max(id), 0) as n from inbox_event');
  }

  /** Processed events of one phase: its rows all have ids above the id the phase started at. */
  processedSince(id: number): Promise<number> {
    return this.number("select count(*) as n from inbox_event where id > $1 and state = 'processed'", [id]);
  }

  /** Time from stored (received_at) to processed, for the events of one phase. */
  async processingLatency(sinceId: number): Promise<{ p50: number; p99: number; max: number; count: number }> {
    const result = await this.client.query<{ p50: number | null; p99: number | null; max: number | null; n: string }>(
      `select percentile_cont(0.5) within group (order by ms) as p50, percentile_cont(0.99) within group (order by ms) as p99, max(ms) as max, count(*) as n
         from (select extract(epoch from processed_at - received_at) * 1000 as ms from inbox_event where id > $1 and state = 'processed') t`,
      [sinceId],
    );
    const row = result.rows[0];
    return { p50: row?.p50 ?? 0, p99: row?.p99 ?? 0, max: row?.max ?? 0, count: Number(row?.n ?? 0) };
  }

  async inboxStates(): Promise<Record<string, number>> {
    const result = await this.client.query<{ state: string; n: string }>('select state, count(*) as n from inbox_event group by state');
    return Object.fromEntries(result.rows.map((r) => [r.state, Number(r.n)]));
  }

  async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.client.query<T>(sql, params)).rows;
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
