/** The connector's id, stored in `installation.connector`. */
export const HUBSPOT_CONNECTOR_ID = 'hubspot';
