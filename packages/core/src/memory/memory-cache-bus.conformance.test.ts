import { describeCacheBusConformance } from '../testing/cache-bus.conformance.js';
import { createMemoryCacheBus } from './memory-cache-bus.js';

// An in-process bus has no shared transport: one instance per test.
describeCacheBusConformance('memory', {
  multiInstance: false,
  transport: async () => ({
    connect: async () => createMemoryCacheBus(),
    dispose: async () => {},
  }),
});
