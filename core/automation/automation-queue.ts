/** One customer's automation jobs run one at a time, in order, in this queue (a menu answer must follow its menu). */
export function automationQueue(numberId: string, contactId: string): string {
  return `automation:${numberId}:${contactId}`;
}
