import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { bannerLines, initCommand, keywardCommand, resolveLogFormat } from './banner.js';

const facts = {
  url: 'http://127.0.0.1:8787',
  docsUrl: 'http://127.0.0.1:8787/docs',
  dashboardUrl: null,
  gatewayUrl: null,
  database: 'sqlite /srv/keyward/keyward.db',
  needsInit: true,
};

describe('the command to paste', () => {
  it('is the one the user ran keyward with', () => {
    expect(keywardCommand({ npm_lifecycle_event: 'start' })).toBe('npm run keyward --');
    expect(keywardCommand({ npm_lifecycle_event: 'keyward' })).toBe('npm run keyward --');
    expect(keywardCommand({ npm_command: 'exec' })).toBe('npx keyward');
    expect(keywardCommand({})).toBe('keyward');
  });

  it('carries a data directory that was set, as an absolute path', () => {
    const env = { KEYWARD_DATA_DIR: '/srv/keyward' };
    expect(initCommand(env, loadConfig(env))).toBe('KEYWARD_DATA_DIR=/srv/keyward keyward init');
    expect(initCommand({}, loadConfig({}))).toBe('keyward init');
    const spaced = { KEYWARD_DATA_DIR: "/tmp/my data/it's" };
    expect(initCommand(spaced, loadConfig(spaced))).toBe(
      `KEYWARD_DATA_DIR='/tmp/my data/it'\\''s' keyward init`,
    );
  });

  it('never carries the database URL (it may hold a password)', () => {
    const env = {
      KEYWARD_DATABASE_URL: 'postgres://app:hunter2-canary@db:5432/keyward',
      npm_command: 'exec',
    };
    expect(initCommand(env, loadConfig(env))).toBe('npx keyward init');
  });
});

describe('bannerLines', () => {
  it('shows the URLs, the database and, on an empty database, the next command', () => {
    const lines = bannerLines(facts, { init: 'npm run keyward -- init', postgres: false }, '0.1.0');
    expect(lines).toEqual([
      '',
      'keyward 0.1.0 is running',
      '  API        http://127.0.0.1:8787',
      '  API docs   http://127.0.0.1:8787/docs',
      '  Database   sqlite /srv/keyward/keyward.db',
      '',
      'No workspace yet. In another terminal, create one and its root key (shown once):',
      '  npm run keyward -- init',
      '',
      'Stop with Ctrl+C.',
      '',
    ]);
  });

  it('shows the dashboard and gateway when served, and no next step once a workspace exists', () => {
    const text = bannerLines(
      {
        ...facts,
        dashboardUrl: 'http://127.0.0.1:8787/dashboard/',
        gatewayUrl: 'http://127.0.0.1:8080',
        database: 'postgres://db:5432/keyward',
        needsInit: false,
      },
      { init: 'keyward init', postgres: true },
      '0.1.0',
    ).join('\n');
    expect(text).toContain('  Dashboard  http://127.0.0.1:8787/dashboard/');
    expect(text).toContain('  Gateway    http://127.0.0.1:8080');
    expect(text).not.toContain('init');
  });

  it('asks for the same database URL on PostgreSQL without printing it', () => {
    const text = bannerLines(
      { ...facts, database: 'postgres://db:5432/keyward' },
      { init: 'keyward init', postgres: true },
      '1',
    ).join('\n');
    expect(text).toContain('  keyward init\n  (with the same KEYWARD_DATABASE_URL as this server)');
  });
});

describe('resolveLogFormat', () => {
  it('is pretty on a terminal and JSON elsewhere unless KEYWARD_LOG_FORMAT says', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });
});
