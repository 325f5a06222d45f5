/** How a customer appears as an audit actor: by phone when known, else by business-scoped user id. */
export function customerActor(contact: { wa_id: string | null; user_id: string | null }): string {
  return `customer:${contact.wa_id ?? contact.user_id ?? 'unknown'}`;
}
