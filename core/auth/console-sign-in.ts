import type OAuth2Strategy from 'passport-oauth2';
import type { Db } from '../db/connect';
import type { ConsoleRole } from './console-sessions';

/**
 * Signing in to the admin console with a platform account (Zendesk, HubSpot, Salesforce). Each platform's
 * connector implements `ConsoleSignInProvider`: where its OAuth flow starts, which passport strategy runs it,
 * and who the user turned out to be (account, user, role). The console's routes (server/console/platform-sign-in.ts)
 * do the rest the same way for every platform: the state bound to the browser, the installation, the session.
 */

/** Where the flow starts: the account the browser named (Zendesk subdomain), and what the strategy needs (a login host). */
export interface SignInStart {
  /** What the user named, or '' when the platform says which account only after sign-in. */
  account: string;
  /** Kept with the attempt until the callback (e.g. the Salesforce login host the code must be exchanged at). */
  data: Record<string, string>;
  /** Shown before the browser is sent there: "acme.zendesk.com". */
  destination: string;
  /** The query that starts this same flow again, for a link. */
  query: Record<string, string>;
}

/** One text field the start needs when the query lacks it (the Zendesk subdomain, a Salesforce My Domain). */
export interface SignInQuestion {
  name: string;
  label: string;
  hint: string;
}

export type SignInBegin = { ok: true; start: SignInStart } | { ok: false; question: SignInQuestion; problem: string | undefined };

/** Who signed in: their platform account (as installations name it), their user id there, and the role it earns. */
export interface PlatformUser {
  accountId: string;
  userId: string;
  displayName: string;
  role: ConsoleRole;
}

export type IdentifyResult = { ok: true; user: PlatformUser } | { ok: false; code: string; message: string };

/** How installation.account_id names the signed-in account: exactly, or as a prefix (Zendesk: `subdomain:pushId`). */
export type AccountMatch = { exact: string } | { prefix: string };

export interface ConsoleSignInProvider {
  /** The connector whose installations this sign-in opens, also the URL segment: 'zendesk'. */
  connector: string;
  /** The button: "Zendesk". */
  label: string;
  /** "Zendesk account", "HubSpot portal", "Salesforce org": in messages. */
  accountNoun: string;
  /** What an admin does when their account has no installation yet. */
  installHint: string;
  /**
   * Other starts the sign-in page offers beside the default one (Salesforce: production by default, then a sandbox
   * link and the My Domain field): each link is a start query, the question a field answered on `/check`.
   */
  alternatives?: { links: ReadonlyArray<{ label: string; query: Record<string, string> }>; question?: SignInQuestion };
  /** Reads the start query; undefined fields are asked for. */
  begin(query: Record<string, unknown>): SignInBegin;
  /** The passport strategy of this start; its `user` is what `identify` receives. */
  strategy(start: SignInStart, callbackUrl: string, store: OAuth2Strategy.StateStore): OAuth2Strategy;
  /** Scopes for sign-in, when they differ from the strategy's own (identity only). */
  scope?: readonly string[];
  /**
   * Who the grant belongs to and their role on the platform. The platform token is used for this only: the
   * provider revokes it (where the platform allows) before answering.
   */
  identify(grant: unknown, start: SignInStart): Promise<IdentifyResult>;
  /** How this platform's installations key the account `identify` named. */
  installationAccount(accountId: string): AccountMatch;
}

/**
 * The workspaces where this platform account is installed and active. Usually one; several when the same
 * account was connected to more than one workspace, which the caller must not guess between.
 */
export async function workspacesOfAccount(db: Db, connector: string, match: AccountMatch): Promise<string[]> {
  const query = db('installation').where({ connector, state: 'active' }).distinct('workspace_id');
  if ('exact' in match) query.where({ account_id: match.exact });
  else query.whereRaw('left(account_id, ?) = ?', [match.prefix.length, match.prefix]);
  const rows: Array<{ workspace_id: string }> = await query;
  return rows.map((row) => row.workspace_id);
}
