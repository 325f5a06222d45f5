import type { SyncEvent } from '../../../core/connectors/contract';
import type { Customer } from '../identity/customer';
import type { Person } from '../identity/resolve-customers';

/**
 * One WhatsApp_Conversation__c per customer and business number (reference §3.3), whatever Threadline's threads:
 * its Conversation_Key__c is `<phoneNumberId>:<Threadline contact id>`, also in an installation serving every number
 * (the event names its conversation's number). The contact id, not the wa_id, because a customer keeps it through a
 * number change and business-scoped users may have no wa_id. Each Threadline thread links to the record.
 */
export function conversationKey(phoneNumberId: string, contactId: string): string {
  return `${phoneNumberId}:${contactId}`;
}

/** One upsert per record (a collection may not name a key twice): the batch's threads of one customer fold into it. */
export interface ConversationWrite {
  key: string;
  phoneNumberId: string;
  fields: Record<string, unknown>;
  /** Threadline conversations (threads) it holds in this batch. */
  threads: Set<string>;
  /** Message events that need it, by index. */
  indexes: number[];
  customer: Customer;
  person: Person | undefined;
  /** The batch's customer messages, for Cases. */
  inboundIndexes: number[];
}

export function newConversationWrite(phoneNumberId: string, customer: Customer, person: Person | undefined): ConversationWrite {
  return {
    key: conversationKey(phoneNumberId, customer.contactId),
    phoneNumberId,
    fields: {
      Customer_WaId__c: customer.waId,
      Business_Phone_Id__c: phoneNumberId,
      Contact__c: person?.type === 'Contact' ? person.id : null,
      Lead__c: person?.type === 'Lead' ? person.id : null,
    },
    threads: new Set(), indexes: [], inboundIndexes: [], customer, person,
  };
}

export function foldConversationEvent(write: ConversationWrite, event: SyncEvent, index: number): void {
  write.threads.add(event.conversationId);
  write.indexes.push(index);
  write.fields.Status__c = 'Open';
  if (event.type !== 'message.inbound') return;
  write.inboundIndexes.push(index);
  const at = typeof event.data.sentAt === 'string' ? event.data.sentAt : event.occurredAt.toISOString();
  const last = write.fields.Last_Inbound_At__c;
  if (typeof last !== 'string' || Date.parse(at) > Date.parse(last)) write.fields.Last_Inbound_At__c = at;
}
