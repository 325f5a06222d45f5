export const SALESFORCE_CONNECTOR_ID = 'salesforce';

/** The REST API version every call names (jsforce defaults to 50.0, reference §2): Spring '26, as the package. */
export const SALESFORCE_API_VERSION = '66.0';
