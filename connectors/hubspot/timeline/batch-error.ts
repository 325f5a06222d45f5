import type { BatchError } from '../../../core/connectors/contract';
import type { HubSpotError } from '../hubspot-result';

/**
 * A failure of the whole request. HubSpot's 429 pauses the installation for the limiter's wait; a refused token
 * or scope and every other failure back off and end as replayable dead letters (an admin re-installs or fixes
 * the scope); input HubSpot refuses (VALIDATION) will not pass on retry either.
 */
export function batchError(error: HubSpotError): BatchError {
  const message = `${error.code}: ${error.message}`;
  if (error.code === 'RATE_LIMITED') return { code: 'RATE_LIMITED', message, ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }) };
  if (error.code === 'VALIDATION') return { code: 'BATCH_REJECTED', message };
  return { code: 'PLATFORM_UNAVAILABLE', message: `HUBSPOT_${message}` };
}
