/** The ticket sidebar app's backend: what the server mounts. */
export { SIDEBAR_PATH, zendeskSidebarRoutes, type ZendeskSidebarDeps } from './sidebar-routes';
export type { SidebarReads } from './sidebar-views';
