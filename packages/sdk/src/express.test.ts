import { buildExpressApp } from './testing/express-app.js';
import { describeMiddleware } from './testing/scenarios.js';

describeMiddleware('express', buildExpressApp);
