/**
 * Links the Salesforce connector saves in `external_link` (entity → Salesforce record id). The sync writes
 * them; the package's callouts read them to find the conversation of the record a user is looking at.
 */
export const salesforceLinkTypes = {
  /** conversation → its WhatsApp_Conversation__c. */
  conversation: 'salesforce_conversation',
  /** conversation → the Case it opened (the current one; a new Case replaces it). */
  case: 'salesforce_case',
  /** message → its WhatsApp_Message__c. */
  message: 'salesforce_message',
  /** contact → the Contact it is, when one matched. */
  contact: 'salesforce_contact',
  /** contact → the Lead it is, when no Contact matched (found or created). */
  lead: 'salesforce_lead',
} as const;

/**
 * contact → the summary Task of one business number and UTC day (`salesforce_task:<phoneNumberId>:<YYYY-MM-DD>`):
 * one link per day, since each day's Task is its own record and later messages of the day update it.
 */
export function summaryTaskLinkType(phoneNumberId: string, day: string): string {
  return `salesforce_task:${phoneNumberId}:${day}`;
}
