import { startZendeskWorld, type ZendeskAccountInstall, type ZendeskWorld } from './zendesk-world';

export type { ZendeskAccountInstall } from './zendesk-world';

/** A second WhatsApp number, served by another Zendesk account (globex). */
export const OTHER_NUMBER = { phoneNumberId: '100000000000077', displayPhoneNumber: '15550007777', verifiedName: 'Globex Support' };

/** The Zendesk world with two numbers and two Zendesk accounts: acme serves the fixture number, globex the other one. */
export interface ZendeskMediaWorld extends ZendeskWorld {
  acme: ZendeskAccountInstall;
  globex: ZendeskAccountInstall;
}

export async function startZendeskMediaWorld(): Promise<ZendeskMediaWorld> {
  const world = await startZendeskWorld({ accounts: ['acme', 'globex'], otherNumbers: [OTHER_NUMBER] });
  try {
    return { ...world, acme: await world.install('acme'), globex: await world.install('globex', { phoneNumberId: OTHER_NUMBER.phoneNumberId }) };
  } catch (err) {
    await world.close();
    throw err;
  }
}
