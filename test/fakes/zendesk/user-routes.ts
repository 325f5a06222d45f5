import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import type { FakeIdentity } from './fake-account';
import { accountOf, bearerToken, sendError } from './http-helpers';
import { apiRoot, identityJson, listJson, userJson } from './serialise';
import { notFound, recordInvalid, type FakeZendeskError } from './zendesk-errors';

const userInput = z.looseObject({
  name: z.string().optional(),
  email: z.string().optional(),
  // Zendesk stores external_id as a string but accepts numbers.
  external_id: z.union([z.string(), z.number()]).transform(String).optional(),
  phone: z.string().optional(),
  skip_verify_email: z.boolean().optional(),
});
const identityInput = z.object({ identity: z.object({ type: z.string(), value: z.string() }) });
const identityTypes: ReadonlyArray<FakeIdentity['type']> = ['email', 'twitter', 'facebook', 'google', 'agent_forwarding', 'phone_number'];

/** Rails answers a body without its root key like this. */
const missingParameter = (name: string): FakeZendeskError => ({ status: 400, body: { error: 'ParameterMissing', description: `param is missing or the value is empty: ${name}` } });

/** Users and identities (§4.2): create_or_update matches on external_id (any case) or email, never on phone. */
export function userRouter(): express.Router {
  const router = express.Router();

  router.post('/create_or_update', (req: Request, res: Response) => {
    const parsed = z.object({ user: userInput }).safeParse(req.body);
    if (!parsed.success) return sendError(res, missingParameter('user'));
    const input = parsed.data.user;
    const account = accountOf(req);
    const byExternal = input.external_id === undefined ? undefined : account.userByExternalId(input.external_id);
    const existing = byExternal ?? (input.email === undefined ? undefined : account.userByEmail(input.email));
    const emailOwner = input.email === undefined ? undefined : account.userByEmail(input.email);
    if (existing && emailOwner && emailOwner.id !== existing.id) {
      return sendError(res, recordInvalid({ email: [{ description: `Email: ${input.email} is already being used by another user`, error: 'DuplicateValue' }] }));
    }
    const root = apiRoot(req, account);
    if (existing) {
      // The stored external_id takes the case just sent (§4.2).
      Object.assign(existing, {
        name: input.name ?? existing.name,
        email: input.email ?? existing.email,
        external_id: input.external_id ?? existing.external_id,
        phone: input.phone ?? existing.phone,
        updated_at: account.timestamp(),
      });
      res.status(200).json({ user: userJson(root, existing) });
      return;
    }
    if (input.name === undefined || input.name.trim() === '') {
      return sendError(res, recordInvalid({ name: [{ description: 'Name:  is too short (minimum one character)', error: 'BlankValue' }] }));
    }
    const user = account.addUser({ name: input.name, email: input.email ?? null, external_id: input.external_id ?? null, phone: input.phone ?? null });
    res.status(201).location(`${root}/users/${user.id}.json`).json({ user: userJson(root, user) });
  });

  router.get('/search', (req: Request, res: Response) => {
    const account = accountOf(req);
    const { external_id: externalId, query } = req.query;
    let users = [...account.users.values()];
    if (typeof externalId === 'string') users = users.filter((u) => u.external_id?.toLowerCase() === externalId.toLowerCase());
    else if (typeof query === 'string') {
      const q = query.toLowerCase();
      users = users.filter((u) => [u.name, u.email, ...account.identitiesOf(u.id).map((i) => i.value)].some((v) => v?.toLowerCase().includes(q)));
    }
    const root = apiRoot(req, account);
    res.status(200).json(listJson('users', users.map((u) => userJson(root, u))));
  });

  // `GET /users/me`: the token's user; a token no user granted answers Zendesk's anonymous user (id null, end-user).
  router.get('/me', (req: Request, res: Response) => {
    const account = accountOf(req);
    const userId = account.oauth.validAccessToken(bearerToken(req))?.userId;
    const user = userId === undefined ? undefined : account.users.get(userId);
    if (user) return void res.status(200).json({ user: userJson(apiRoot(req, account), user) });
    res.status(200).json({ user: { id: null, url: null, name: 'Anonymous user', email: 'invalid@example.com', role: 'end-user', active: true } });
  });

  router.get('/:id', (req: Request<{ id: string }>, res: Response) => {
    const account = accountOf(req);
    const user = account.users.get(Number(req.params.id));
    if (!user) return sendError(res, notFound());
    res.status(200).json({ user: userJson(apiRoot(req, account), user) });
  });

  router.get('/:id/identities', (req: Request<{ id: string }>, res: Response) => {
    const account = accountOf(req);
    const user = account.users.get(Number(req.params.id));
    if (!user) return sendError(res, notFound());
    const root = apiRoot(req, account);
    res.status(200).json(listJson('identities', account.identitiesOf(user.id).map((i) => identityJson(root, i))));
  });

  router.post('/:id/identities', (req: Request<{ id: string }>, res: Response) => {
    const account = accountOf(req);
    const user = account.users.get(Number(req.params.id));
    if (!user) return sendError(res, notFound());
    const parsed = identityInput.safeParse(req.body);
    if (!parsed.success) return sendError(res, missingParameter('identity'));
    const { type, value } = parsed.data.identity;
    const knownType = identityTypes.find((t) => t === type);
    if (!knownType) return sendError(res, recordInvalid({ type: [{ description: `Type: ${type} is not a valid identity type`, error: 'InvalidValue' }] }));
    if (knownType === 'phone_number' && !/^\+?[0-9][0-9 ().-]{4,}$/.test(value)) {
      return sendError(res, recordInvalid({ value: [{ description: `Value: ${value} is not properly formatted`, error: 'InvalidFormat' }] }));
    }
    const digits = (v: string) => (knownType === 'phone_number' ? v.replace(/\D/g, '') : v.toLowerCase());
    if ([...account.identities.values()].some((i) => i.type === knownType && digits(i.value) === digits(value))) {
      return sendError(res, recordInvalid({ value: [{ description: `Value: ${value} is already being used by another user`, error: 'DuplicateValue' }] }));
    }
    const identity = account.addIdentity(user.id, knownType, value);
    res.status(201).json({ identity: identityJson(apiRoot(req, account), identity) });
  });

  return router;
}
