import type { BatchError } from '../../../core/connectors/contract';
import type { SalesforceError } from '../salesforce-result';

/**
 * A failure of the whole batch (§6). A spent daily quota pauses the org (costing no attempt) until the next probe;
 * a refused session or grant, a missing permission and outages back off and end as replayable dead letters (an
 * admin reconnects or grants the permission set); a request Salesforce refuses as a whole will not pass on retry.
 */
export function batchError(error: SalesforceError): BatchError {
  const message = `${error.code}: ${error.message}`;
  if (error.code === 'RATE_LIMITED') return { code: 'RATE_LIMITED', message, ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }) };
  if (error.code === 'VALIDATION') return { code: 'BATCH_REJECTED', message };
  return { code: 'PLATFORM_UNAVAILABLE', message: `SALESFORCE_${message}` };
}

/** Whether a failure is the record's own (a dead letter for its event) rather than the org's or the network's. */
export function isRecordError(error: SalesforceError): boolean {
  return error.code === 'VALIDATION' || error.code === 'NOT_FOUND';
}
