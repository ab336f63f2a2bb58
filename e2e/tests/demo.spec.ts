// The living demo of scripts/run, in the e2e harness: the e2e server seeds the demo agency and serves the
// fakes' demo data set to its owner (scripts/e2e-server); `audienceos demo-connect` connects it through the
// real OAuth flow, as scripts/run does. Then: the demo's inbox shows threads that need replies, a reply goes
// out through the Gmail fake, a client shows ad charts, a live message arrives, the Integrations page labels
// the demo providers, and the onboarding board and the dashboard have the demo's onboardings and alerts.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { test, expect } from '../fixtures/test';
import { Api } from '../fixtures/api';
import { ClientPanel, ClientsPage } from '../fixtures/pages';

// One demo agency for the whole file: its tests run in order, in one worker.
test.describe.configure({ mode: 'serial' });

const ARTIFACTS = path.join(__dirname, '..', 'artifacts');
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true, animations: 'disabled' });

const port = Number(process.env.AOS_E2E_PORT ?? 18080);
const base = `http://127.0.0.1:${port}`;
const fakes = `http://127.0.0.1:${port + 1}`;
const repo = path.join(__dirname, '..', '..');
const bin = path.resolve(repo, process.env.AOS_E2E_BIN ?? 'target/debug/audienceos');
const DEMO = { email: 'demo@audienceos.local', password: 'demo-agency-2026' };

interface SentMail {
  body: string;
  headers: [string, string][];
}

interface Integration {
  id: string;
  provider: string;
  status: string;
  demo: boolean;
  last_sync_at: string | null;
}

const header = (headers: [string, string][], name: string): string | undefined =>
  headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

async function signInAsDemo(page: Page): Promise<Api> {
  const res = await page.request.post('/api/v1/auth/login', { data: DEMO });
  expect(res.status(), await res.text()).toBe(200);
  return Api.of(page);
}

test.beforeAll(async () => {
  test.setTimeout(240_000);
  // What scripts/run does once the server is up; running it again only checks the connections.
  const { stdout } = await promisify(execFile)(bin, ['demo-connect', '--url', base, '--timeout', '150'], {
    env: { PATH: process.env.PATH ?? '', AOS_ENV: 'development' },
    timeout: 200_000,
  });
  for (const provider of ['Gmail', 'Slack', 'Google Ads', 'Meta Ads']) {
    expect(stdout).toMatch(new RegExp(`^${provider}: (connected|reconnected|already connected)`, 'm'));
    expect(stdout).toMatch(new RegExp(`^${provider}: synced`, 'm'));
  }
});

test('the demo inbox shows threads waiting for a reply, and a reply goes out through the Gmail fake', async ({ page }) => {
  await signInAsDemo(page);
  await page.goto('/inbox');
  const threads = page.getByRole('list', { name: 'Threads' });
  await expect(threads.getByText('Question about the October report')).toBeVisible();
  await expect(threads.getByText('New product line launch')).toBeVisible();
  // Slack conversations are in the same inbox.
  await expect(threads.getByText('Could we get the creative calendar for next month?')).toBeVisible();
  await shot(page, 'demo-inbox');

  await threads.getByText('Pixel firing twice on checkout?').click();
  const view = page.getByRole('region', { name: 'Thread', exact: true });
  await expect(view.getByText(/Meta pixel Purchase event firing twice/)).toBeVisible();
  const text = `Good catch, Emma: we will deduplicate the event with the order id today. (${Date.now()})`;
  await view.getByLabel('Reply').fill(text);
  await view.getByRole('button', { name: 'Send reply' }).click();
  await expect(view.getByText('Sent', { exact: true }).first()).toBeVisible({ timeout: 20_000 });

  const res = await page.request.get(`${fakes}/_fake/google/sent`);
  const sent = ((await res.json()) as SentMail[]).filter((m) => m.body.includes(text));
  expect(sent).toHaveLength(1);
  expect(header(sent[0].headers, 'To')).toContain('emma@cedarsage.example');
  expect(header(sent[0].headers, 'Subject')).toBe('Re: Pixel firing twice on checkout?');
  await shot(page, 'demo-reply');
});

test('a demo client shows its Google Ads and Meta results on the ad chart', async ({ page }) => {
  const api = await signInAsDemo(page);
  const clients = await api.get<{ items: { id: string; name: string }[] }>('/api/v1/clients?q=Acme%20Outdoor');
  const acme = clients.items.find((c) => c.name === 'Acme Outdoor');
  expect(acme).toBeTruthy();
  await new ClientsPage(page).goto(`?client=${acme!.id}`);
  const panel = new ClientPanel(page);
  await panel.expectOpen('Acme Outdoor');
  const chart = panel.panel.getByRole('img', { name: /^Ad performance from .*: \$[1-9][\d,]*(\.\d\d)? spend/ });
  await expect(chart).toBeVisible({ timeout: 20_000 });
  await chart.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ARTIFACTS, 'demo-client-ads.png'), animations: 'disabled' });
  // The client's conversations are on the panel too.
  await expect(panel.panel.getByRole('list', { name: 'Messages' }).getByText(/Anniversary sale creatives/).first()).toBeVisible();
});

test('a live message from a client arrives in the open inbox after the next sync', async ({ page }) => {
  const api = await signInAsDemo(page);
  await page.goto('/inbox');
  const threads = page.getByRole('list', { name: 'Threads' });
  await expect(threads.getByText('Question about the October report')).toBeVisible();
  // The first of the demo's live messages: Bluebird Coffee follows up on its report question.
  const live = await page.request.post(`${fakes}/_fake/demo/live`);
  expect((await live.json()).arrived).toBe(true);
  const gmail = (await api.get<Integration[]>('/api/v1/integrations')).find((i) => i.provider === 'gmail')!;
  await api.post(`/api/v1/integrations/${gmail.id}/sync`, {}, [202]);
  await expect(threads.getByText(/the board meets tomorrow morning/)).toBeVisible({ timeout: 30_000 });
});

test('Integrations label the demo providers, and the demo has onboardings and alerts', async ({ page }) => {
  const api = await signInAsDemo(page);
  await page.goto('/integrations');
  await expect(page.getByRole('note', { name: 'Demo providers' })).toBeVisible();
  for (const provider of ['Gmail', 'Slack', 'Google Ads', 'Meta Ads']) {
    const card = page.getByRole('article', { name: provider });
    await expect(card.getByText('Demo provider', { exact: true })).toBeVisible();
    await expect(card.getByText('Status: Connected')).toBeVisible();
  }
  await shot(page, 'demo-integrations');

  const onboardings = await api.get<{ items: { client: { name: string }; status: string; submitted_at: string | null }[] }>(
    '/api/v1/onboarding/instances',
  );
  expect(onboardings.items.length).toBeGreaterThanOrEqual(4);
  expect(onboardings.items.some((o) => o.client.name === 'Pinecrest Pilates')).toBe(true);
  expect(onboardings.items.filter((o) => o.submitted_at !== null).length).toBeGreaterThanOrEqual(3);
  await page.goto('/onboarding');
  await expect(page.getByText('Pinecrest Pilates').first()).toBeVisible();
  await shot(page, 'demo-onboarding');

  const alerts = await api.get<{ items: { type: string }[] }>('/api/v1/alerts?status=all&limit=200');
  const types = new Set(alerts.items.map((a) => a.type));
  for (const t of ['inactivity', 'stage_overdue', 'overdue_tasks', 'risk_detected', 'kpi_drop', 'disconnect']) {
    expect(types, `an alert of type ${t}`).toContain(t);
  }
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Ad spend, last 30 days' })).toBeVisible();
  await shot(page, 'demo-dashboard');
});
