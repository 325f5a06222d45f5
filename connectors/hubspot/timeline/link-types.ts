/** Links this connector saves in `external_link`. */
export const timelineLinkTypes = {
  /** message → the communication that logs it. */
  communication: 'hubspot_communication',
  /**
   * message → the Threadline contact it was sent to, when it was sent from this portal (card, workflow): a
   * later failure is written back to that contact's HubSpot record, whichever it is by then (merges).
   */
  sentFromHubSpot: 'hubspot_sent_from_hubspot',
  /** conversation → the task made for a missed response target; suffixed with the breach event's external id. */
  slaTask: 'hubspot_sla_task',
} as const;
