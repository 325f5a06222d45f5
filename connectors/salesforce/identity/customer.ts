import type { Customer as EventCustomer } from '../../../core/sync/customer-of-event';

/** A customer as Salesforce maps them: by contact, then by number; a BSUID's user id is searched nowhere here. */
export type Customer = Omit<EventCustomer, 'userId'>;

