import type { FakeSalesforceUser } from './fake-org';
import { toId18 } from './ids';
import { asResult, type RestRequest, type RestResult } from './rest-types';
import { notFound, restError } from './salesforce-errors';

/** The User fields the fake models, as the sObject names them. */
const USER_FIELDS: Record<string, (user: FakeSalesforceUser) => string> = {
  Id: (u) => u.id,
  Name: (u) => u.displayName,
  Username: (u) => u.username,
  Email: (u) => u.email,
  UserType: (u) => picklistUserType(u.userType),
};

/** The identity URL's `POWER_PARTNER` is the User record's picklist value `PowerPartner` (`STANDARD` → `Standard`). */
function picklistUserType(identityType: string): string {
  return identityType.toLowerCase().split('_').map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
}

/**
 * `GET /sobjects/User/<id>[?fields=…]`: one of the org's users (the ones who can log in), readable with the `api`
 * scope alone, unlike the identity URL. Read only: the fake does not model creating or editing users.
 */
export function userRecord(req: RestRequest, segments: string[]): RestResult {
  const [id, ...extra] = segments;
  if (id === undefined || extra.length > 0) return asResult(notFound());
  if (req.method !== 'GET') return asResult(restError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${req.method}' not allowed. Allowed are GET`));
  const user = req.org.users.get(toId18(id) ?? '');
  if (!user) return asResult(notFound());
  const wanted = req.query.get('fields')?.split(',').map((f) => f.trim()).filter((f) => f !== '') ?? Object.keys(USER_FIELDS);
  const body: Record<string, unknown> = { attributes: { type: 'User', url: `/services/data/${req.version}/sobjects/User/${user.id}` } };
  for (const field of wanted) {
    const name = Object.keys(USER_FIELDS).find((f) => f.toLowerCase() === field.toLowerCase());
    // [U] wording of a retrieve naming an unknown field.
    if (name === undefined) return asResult(restError(400, 'INVALID_FIELD', `No such column '${field}' on sobject of type User`));
    body[name] = USER_FIELDS[name]?.(user);
  }
  return { status: 200, body };
}
