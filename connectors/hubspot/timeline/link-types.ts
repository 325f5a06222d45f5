/** Links this connector saves in `external_link`. */
export const timelineLinkTypes = {
  /** message → the communication that logs it. */
  communication: 'hubspot_communication',
  /**
   * message → the Threadline contact it was sent to, when it was sent from this portal (card, workflow): a
   * later failure is written back to that contact's HubSpot record, whichever it is by then (merges).
   */
  sentFromHubSpot: 'hubspot_sent_from_hubspot',
} as const;
