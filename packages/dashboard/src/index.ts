export { isLoopbackHost } from './access';
export type { Dashboard, DashboardOptions } from './create-dashboard';
export { createDashboard } from './create-dashboard';
export { CONTENT_SECURITY_POLICY } from './security-headers';
export type { DashboardServer, ServeDashboardOptions } from './serve-dashboard';
export { serveDashboard } from './serve-dashboard';
