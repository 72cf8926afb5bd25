#!/usr/bin/env node
// `npx keyward` launcher: keyward runs from its TypeScript sources, so register tsx first.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
