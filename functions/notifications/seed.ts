import { DEMO_CUSTOMERS } from '../customer/seed';

/** Notifications' own contact directory, seeded with the demo customers' addresses. */
export const DEMO_CONTACTS = DEMO_CUSTOMERS.map(({ customerId, name, email }) => ({ customerId, name, email }));
