/**
 * Salesforce's error answers (shared/reference/salesforce.md §1.3, §6): REST errors are a JSON **array** of
 * `{ message, errorCode, fields? }`; OAuth errors are `{ error, error_description }`. Record-level failures inside
 * collections are `{ statusCode, message, fields }`. Messages marked [U] in the README are the wording Salesforce
 * is seen to use, not a documented contract.
 */
export interface FakeSalesforceError {
  status: number;
  /** JSON body; a string is sent as text/html (an edge page during an outage). */
  body: unknown;
  headers?: Record<string, string>;
}

/** One record-level error, as DML reports it. */
export interface RecordError {
  statusCode: string;
  message: string;
  fields: string[];
}

export function restError(status: number, errorCode: string, message: string, fields?: string[]): FakeSalesforceError {
  return { status, body: [fields === undefined ? { message, errorCode } : { message, errorCode, fields }] };
}

/** A DML failure on a single-record route: 400 with the record errors as an array body. */
export function fromRecordErrors(errors: RecordError[]): FakeSalesforceError {
  return { status: 400, body: errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })) };
}

export const invalidSession = (): FakeSalesforceError => restError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
export const requestLimitExceeded = (): FakeSalesforceError => restError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
export const notFound = (): FakeSalesforceError => restError(404, 'NOT_FOUND', 'The requested resource does not exist');
export const malformedQuery = (message: string): FakeSalesforceError => restError(400, 'MALFORMED_QUERY', message);
export const malformedSearch = (message: string): FakeSalesforceError => restError(400, 'MALFORMED_SEARCH', message);
/** An unknown object in SOQL/SOSL (on an `/sobjects/X` path it is a plain 404 NOT_FOUND). */
export const invalidType = (type: string): FakeSalesforceError =>
  restError(
    400,
    'INVALID_TYPE',
    `sObject type '${type}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
  );
export const invalidField = (field: string, type: string): FakeSalesforceError => restError(400, 'INVALID_FIELD', `No such column '${field}' on entity '${type}'.`);
export const jsonParserError = (message: string): FakeSalesforceError => restError(400, 'JSON_PARSER_ERROR', message);

export const oauthError = (status: number, error: string, description: string): FakeSalesforceError => ({ status, body: { error, error_description: description } });

/** What a test can script with `failNext`: a ready answer, or one of the named Salesforce failures. */
export type ScriptedFailure = FakeSalesforceError | 'invalid_session' | 'request_limit' | 'server_error' | 'unavailable';

export function resolveFailure(failure: ScriptedFailure): FakeSalesforceError {
  switch (failure) {
    case 'invalid_session':
      return invalidSession();
    case 'request_limit':
      return requestLimitExceeded();
    case 'server_error':
      return restError(500, 'UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-1234567890)');
    case 'unavailable':
      return { status: 503, body: '<html><body><h1>Service Unavailable</h1></body></html>' };
    default:
      return failure;
  }
}
