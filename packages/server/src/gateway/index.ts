export {
  formatIssues,
  type GatewayConfig,
  type GatewayConfigResult,
  type HealthCheckConfig,
  loadGatewayConfig,
  type RouteConfig,
  type UpstreamConfig,
  validateGatewayConfig,
} from './config.js';
export type { ConfigIssue } from './config-source.js';
export { buildGateway, type Gateway, type GatewayOptions } from './proxy.js';
export { type RunningGateway, type StartGatewayOptions, startGateway } from './start-gateway.js';
