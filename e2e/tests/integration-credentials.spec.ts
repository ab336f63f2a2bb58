// An agency's own OAuth app, end to end: this file starts a second e2e server whose settings have no Google
// OAuth app (scripts/e2e-server with AOS_E2E_WITHOUT_SERVER_OAUTH=google; the shared server configures
// every provider, and other specs connect through those). The Gmail card says in words what is missing;
// the Owner opens "Use your own OAuth app", sees the redirect URI to register and the steps, saves the
// client id and secret the Google fake accepts, connects Gmail through the consent page, and cannot remove
// the app while Gmail is connected through it.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from '../fixtures/test';

// One server for the file: its test runs in one worker.
test.describe.configure({ mode: 'serial' });

const ARTIFACTS = path.join(__dirname, '..', 'artifacts');
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true, animations: 'disabled' });

const port = Number(process.env.AOS_E2E_PORT ?? 18080) + 10;
const base = `http://127.0.0.1:${port}`;
let server: ChildProcess | undefined;

test.use({ baseURL: base });

test.beforeAll(async () => {
  test.setTimeout(150_000);
  server = spawn('bash', [path.join(__dirname, '..', '..', 'scripts', 'e2e-server')], {
    env: {
      ...process.env,
      AOS_E2E_PORT: String(port),
      AOS_E2E_DATA_DIR: `${process.env.AOS_E2E_DATA_DIR ?? path.join(__dirname, '..', '.data', 'own-apps')}-own-apps`,
      AOS_E2E_WITHOUT_SERVER_OAUTH: 'google',
    },
    // Its own process group, so the server and its fakes stop together.
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Kept to explain a server that does not come up (its log is noise otherwise).
  let stderr = '';
  server.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const res = await fetch(`${base}/api/health/live`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the second e2e server did not start:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 250));
  }
});

test.afterAll(() => {
  if (server?.pid) {
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
});

test('the Owner adds the agency’s own Google OAuth app, then Gmail connects through it', async ({ page, signedInUser }) => {
  await page.goto('/integrations');
  const gmail = page.getByRole('article', { name: 'Gmail' });
  const ads = page.getByRole('article', { name: 'Google Ads' });
  const slack = page.getByRole('article', { name: 'Slack' });
  await expect(gmail.getByText('Gmail needs a Google OAuth app before it can connect')).toBeVisible();
  await expect(ads.getByText('Google Ads needs a Google OAuth app before it can connect')).toBeVisible();
  // Slack connects through the server's app: nothing to say.
  await expect(slack.getByText(/OAuth app/)).toHaveCount(0);
  const connect = gmail.getByRole('button', { name: 'Connect Gmail' });
  await expect(connect).toBeDisabled();
  await expect(connect).toHaveAccessibleDescription(/needs a Google OAuth app/);
  await shot(page, 'integration-credentials-missing');

  await gmail.getByRole('button', { name: 'Use your own OAuth app' }).click();
  const dialog = page.getByRole('dialog', { name: 'Use your own Google OAuth app' });
  await expect(dialog.getByLabel('Redirect URI')).toHaveValue(`${base}/api/v1/oauth/callback`);
  await expect(dialog.getByText(/create an OAuth client ID of type “Web application”/)).toBeVisible();
  // Empty fields are named before anything is sent.
  await dialog.getByRole('button', { name: 'Save app' }).click();
  await expect(dialog.getByText('Client ID is required')).toBeVisible();
  await expect(dialog.getByText('Client secret is required')).toBeVisible();
  await dialog.getByLabel('Client ID').fill('  google-client-id ');
  await dialog.getByLabel('Client secret').fill('google-client-secret');
  await expect(dialog.getByLabel('Client secret')).toHaveAttribute('type', 'password');
  await shot(page, 'integration-credentials-modal');
  await dialog.getByRole('button', { name: 'Save app' }).click();
  await expect(dialog).toBeHidden();
  const own = /Connects through the agency's own Google OAuth app \(client ID google-client-id\), set up by/;
  await expect(gmail.getByText(own)).toBeVisible();
  await expect(ads.getByText(own)).toBeVisible();
  await expect(page.getByText('google-client-secret')).toHaveCount(0);

  // The real OAuth round trip, with the agency's app.
  await expect(connect).toBeEnabled();
  await connect.click();
  await expect(page.getByRole('heading', { name: /AudienceOS wants to access your/ })).toBeVisible();
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page).toHaveURL(/\/integrations$/);
  await expect(gmail.getByText(/Status: (Connected|Syncing)/)).toBeVisible();
  await expect(gmail.getByText('owner@agency.test')).toBeVisible();
  await shot(page, 'integration-credentials-connected');

  // The app cannot go while Gmail is connected through it: the dialog says why and stays open.
  await gmail.getByRole('button', { name: "Remove the agency's Google OAuth app" }).click();
  const remove = page.getByRole('dialog', { name: "Remove the agency's Google OAuth app?" });
  await remove.getByRole('button', { name: 'Remove app' }).click();
  await expect(remove.getByText(/Disconnect it first/)).toBeVisible();
  await remove.getByRole('button', { name: 'Cancel' }).click();
  await expect(remove).toBeHidden();
  expect(signedInUser.firstName).toBeTruthy();
});
