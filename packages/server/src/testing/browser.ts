import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { runCli } from '../cli/program.js';
import { loadConfig } from '../config.js';
import { type RunningServer, startServer } from '../start.js';
import { locateDashboardBuild } from '../static/dashboard-files.js';

/** Debian's Chromium (`apt-get install -y chromium`), or null (outside CI the suite then skips, saying why). */
export function chromiumPath(): string | null {
  let path: string | null = null;
  try {
    path = execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || null;
  } catch {
    path = null;
  }
  const built = locateDashboardBuild();
  let why: string | null = null;
  if (path === null) why = 'Chromium is not installed (apt-get install -y chromium)';
  else if (built === null || !safeRead(join(built, 'dashboard', 'index.html'))) {
    why = 'the dashboard is not built (npm run build -w @keyward/dashboard)';
  }
  if (why === null) return path;
  if (process.env.CI === 'true') throw new Error(`${why}; CI requires the browser tests`);
  console.warn(`SKIPPED: browser tests: ${why}.`);
  return null;
}

const safeRead = (file: string): boolean => {
  try {
    readFileSync(file);
    return true;
  } catch {
    return false;
  }
};

/** Headless Chromium with the flags that suit a container (no sandbox, no GPU, no background traffic). */
export const launchChromium = (executablePath: string): Promise<Browser> =>
  chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });

export interface UiServer {
  url: string;
  /** A `*` root key of the server's one workspace. */
  rootKey: string;
  dataDir: string;
  server: RunningServer;
  close(): Promise<void>;
}

/**
 * A real keyward (`keyward init`, then `startServer`) on a fresh SQLite data directory,
 * listening on a free port of 127.0.0.1, serving the built dashboard and portal.
 */
export async function startUiServer(
  options: { beforeStart?: (dataDir: string) => Promise<void> } = {},
): Promise<UiServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyward-e2e-'));
  const env = {
    KEYWARD_DATA_DIR: dataDir,
    KEYWARD_LOG_LEVEL: 'silent',
    KEYWARD_PORT: '0',
    KEYWARD_HOST: '127.0.0.1',
  };
  const out: string[] = [];
  const errors: string[] = [];
  const io = {
    env,
    out: (line: string) => out.push(line),
    err: (line: string) => errors.push(line),
    fetch: globalThis.fetch,
  };
  const code = await runCli(['node', 'keyward', 'init', '--json'], io);
  if (code !== 0) throw new Error(`keyward init failed: ${errors.join(' ')}`);
  const { rootKey } = JSON.parse(out.join('')) as { rootKey: string };
  await options.beforeStart?.(dataDir);
  const server = await startServer(loadConfig(env));
  return {
    url: server.url,
    rootKey,
    dataDir,
    server,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const require = createRequire(import.meta.url);
let axeSource: string | null = null;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/**
 * Runs axe-core in the page (WCAG 2.1 A/AA rules and best practices) and answers every
 * violation; callers assert that none is serious or critical. Injected through
 * `evaluate`, which the page's CSP does not govern.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  // A string, evaluated in the page (this file is compiled without the DOM library).
  return page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((result) =>
    result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })))`);
}

export const seriousOnes = (violations: AxeViolation[]) =>
  violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');

const here = dirname(fileURLToPath(import.meta.url));
/** `docs/screenshots/` with KEYWARD_SCREENSHOTS=1, else a temp directory. */
export const SCREENSHOT_DIR =
  process.env.KEYWARD_SCREENSHOTS === '1'
    ? join(here, '..', '..', '..', '..', 'docs', 'screenshots')
    : join(tmpdir(), 'keyward-screenshots');

export const screenshot = (page: Page, name: string): Promise<Buffer> => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
};
