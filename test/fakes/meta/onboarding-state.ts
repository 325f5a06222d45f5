/** The fake Meta app's id: the app Threadline runs as (META_APP_ID in tests). */
export const FAKE_APP_ID = '100000000000900';
export const FAKE_APP_NAME = 'Threadline (fake)';

/** Embedded Signup's token code lives about 30 seconds and works once. */
export const SIGNUP_CODE_TTL_MS = 30_000;
/** POST /{pnid}/register: 10 requests per number in a moving 72 hours, then 133016. */
export const REGISTER_LIMIT = 10;
export const REGISTER_WINDOW_MS = 72 * 3600_000;

interface SignupCode {
  wabaId: string;
  issuedAt: number;
  used: boolean;
}

export interface Registration {
  phoneNumberId: string;
  pin: string;
  ok: boolean;
  at: number;
}

/**
 * What Embedded Signup and onboarding leave on Meta's side: token codes, the business tokens they are
 * exchanged for (each sees one WABA), the apps subscribed to each WABA's webhooks, two-step PINs, and
 * every registration attempt.
 */
export class FakeOnboarding {
  private readonly codes = new Map<string, SignupCode>();
  /** Business token → the WABA it was granted. */
  readonly businessTokens = new Map<string, string>();
  /** WABA id → ids of the apps that get its webhooks. */
  readonly subscriptions = new Map<string, Set<string>>();
  /** Phone number id → its two-step verification PIN, once it has one. */
  readonly pins = new Map<string, string>();
  readonly registrations: Registration[] = [];
  private counter = 0;

  constructor(readonly appId: string, private readonly now: () => number) {}

  /** What FB.login hands the browser when a customer finishes the flow for this WABA. */
  issueCode(wabaId: string): string {
    this.counter += 1;
    const code = `AQ-fake-signup-code-${this.counter}-${wabaId}`;
    this.codes.set(code, { wabaId, issuedAt: this.now(), used: false });
    return code;
  }

  /** 'used', 'expired', 'unknown', or the business token (the code is spent either way). */
  redeem(code: string): { token: string } | { refused: 'used' | 'expired' | 'unknown' } {
    const entry = this.codes.get(code);
    if (!entry) return { refused: 'unknown' };
    if (entry.used) return { refused: 'used' };
    if (this.now() - entry.issuedAt > SIGNUP_CODE_TTL_MS) return { refused: 'expired' };
    entry.used = true;
    this.counter += 1;
    const token = `fake-business-token-${this.counter}`;
    this.businessTokens.set(token, entry.wabaId);
    return { token };
  }

  subscribe(wabaId: string, appId = this.appId): void {
    const apps = this.subscriptions.get(wabaId) ?? new Set<string>();
    apps.add(appId);
    this.subscriptions.set(wabaId, apps);
  }

  unsubscribe(wabaId: string): void {
    this.subscriptions.delete(wabaId);
  }

  /** Attempts in the moving window, this one included, before it is judged. */
  recentAttempts(phoneNumberId: string): number {
    return this.registrations.filter((r) => r.phoneNumberId === phoneNumberId && this.now() - r.at < REGISTER_WINDOW_MS).length;
  }
}
