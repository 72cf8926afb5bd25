import { buildHonoApp } from './testing/hono-app.js';
import { describeMiddleware } from './testing/scenarios.js';

describeMiddleware('hono', buildHonoApp);
