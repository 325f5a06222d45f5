/** The CRM card's backend: what HS1's routes.ts mounts. */
export { CARD_PATH, hubspotCardRoutes, type HubSpotCardDeps } from './card-routes';
