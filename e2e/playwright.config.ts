import fs from 'node:fs';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

// The runner loads this file, then every worker loads it again with the runner's environment: the data
// directory is chosen once (in the runner) and handed on through AOS_E2E_DATA_DIR, so the server, the
// runner and the workers all see the same folder.
const port = Number(process.env.AOS_E2E_PORT ?? 18080);
const baseURL = `http://127.0.0.1:${port}`;
const dataRoot = path.join(__dirname, '.data');

if (!process.env.AOS_E2E_DATA_DIR) {
  const stamp = new Date().toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 15);
  process.env.AOS_E2E_DATA_DIR = path.join(dataRoot, `run-${stamp}-${process.pid}`);
  pruneOldRuns(dataRoot, 5);
}
const dataDir = process.env.AOS_E2E_DATA_DIR;
fs.mkdirSync(dataDir, { recursive: true });

/** Keeps the newest `keep` run folders under e2e/.data so repeated runs do not fill the disk. */
function pruneOldRuns(root: string, keep: number): void {
  if (!fs.existsSync(root)) return;
  const runs = fs
    .readdirSync(root)
    .filter((name) => name.startsWith('run-'))
    .sort();
  for (const name of runs.slice(0, Math.max(0, runs.length - keep))) {
    fs.rmSync(path.join(root, name), { recursive: true, force: true });
  }
}

export default defineConfig({
  testDir: './tests',
  outputDir: 'test-results',
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: 2,
  fullyParallel: true,
  // Debug builds hash passwords with argon2id on two cores: leave room for several sign-ins per test.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['./reporter.ts']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.AOS_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [{ name: 'chromium' }],
  webServer: {
    command: 'bash ../scripts/e2e-server',
    cwd: __dirname,
    url: `${baseURL}/api/health/live`,
    reuseExistingServer: false,
    timeout: 120_000,
    // The server's request log is long; AOS_E2E_SERVER_LOG=1 shows it, start-up errors (stderr) always show.
    stdout: process.env.AOS_E2E_SERVER_LOG ? 'pipe' : 'ignore',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
    env: {
      AOS_E2E_PORT: String(port),
      AOS_E2E_DATA_DIR: dataDir,
      // Every test signs up and signs in from 127.0.0.1; the per-IP auth quota is for real clients.
      AOS_RATE_LIMIT_AUTH_IP: process.env.AOS_RATE_LIMIT_AUTH_IP ?? '1000/minute',
    },
  },
});
