import type { Db } from '../db/connect';

/**
 * Maps a webhook's phone_number_id (or WABA id) to its workspace without a query per request.
 * The table is small; it is reloaded periodically and, at most once a second, on a miss.
 */
export class NumberDirectory {
  private byPhoneNumberId = new Map<string, string>();
  private byWabaId = new Map<string, string>();
  private loadedAt = 0;
  private loading: Promise<void> | null = null;

  constructor(private readonly db: Db, private readonly options: { maxAgeMs?: number; missReloadMs?: number } = {}) {}

  async workspaceForNumber(phoneNumberId: string): Promise<string | null> {
    return this.lookup(() => this.byPhoneNumberId, phoneNumberId);
  }

  async workspaceForWaba(wabaId: string): Promise<string | null> {
    return this.lookup(() => this.byWabaId, wabaId);
  }

  /** Call after a number is registered or removed so the next webhook sees it. */
  invalidate(): void {
    this.loadedAt = 0;
  }

  /** `current` is read after any reload, which swaps in new maps. */
  private async lookup(current: () => Map<string, string>, id: string): Promise<string | null> {
    const age = Date.now() - this.loadedAt;
    if (age > (this.options.maxAgeMs ?? 30_000) || (!current().has(id) && age > (this.options.missReloadMs ?? 1_000))) await this.reload();
    return current().get(id) ?? null;
  }

  private reload(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const rows: { phone_number_id: string; waba_id: string; workspace_id: string }[] = await this.db('whatsapp_number').select('phone_number_id', 'waba_id', 'workspace_id');
        this.byPhoneNumberId = new Map(rows.map((r) => [r.phone_number_id, r.workspace_id]));
        this.byWabaId = new Map(rows.map((r) => [r.waba_id, r.workspace_id]));
        this.loadedAt = Date.now();
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }
}
