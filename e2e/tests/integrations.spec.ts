// Integrations end to end against the provider fakes the e2e server starts: connect Gmail through the
// fake consent page, sync, and read the client's emails; connect Meta Ads, link an ad account to a client,
// sync, and see its spend on the client's chart; disconnect, and check the fake saw the revocation.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from '../fixtures/test';
import { ClientPanel, ClientsPage } from '../fixtures/pages';

const ARTIFACTS = path.join(__dirname, '..', 'artifacts');
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true, animations: 'disabled' });

const fakes = `http://127.0.0.1:${Number(process.env.AOS_E2E_PORT ?? 18080) + 1}`;

/** Press Connect on the provider's card, allow on the fake's consent page, and land back connected. */
async function connect(page: Page, provider: string): Promise<void> {
  await page.goto('/integrations');
  const card = page.getByRole('article', { name: provider });
  await card.getByRole('button', { name: `Connect ${provider}` }).click();
  // The provider's consent page (served by the fakes), then back to the app.
  await expect(page.getByRole('heading', { name: /AudienceOS wants to access your/ })).toBeVisible();
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page).toHaveURL(/\/integrations$/);
  await expect(card.getByText(/Status: (Connected|Syncing)/)).toBeVisible();
}

/** Sync now and wait for the outcome on the card. */
async function syncNow(page: Page, provider: string): Promise<void> {
  const card = page.getByRole('article', { name: provider });
  // The first sync starts on connect: let it finish before asking for another.
  await expect(card.getByText('Status: Connected')).toBeVisible({ timeout: 30_000 });
  await card.getByRole('button', { name: 'Sync now' }).click();
  await expect(card.getByRole('status').getByText(/Synced \d+ new, \d+ updated/)).toBeVisible({ timeout: 30_000 });
}

test('Gmail: connect through the consent page, sync, read the emails on the client, disconnect', async ({ page, signedInUser, api }) => {
  const name = `Acme Dental ${randomBytes(3).toString('hex')}`;
  const client = await api.createClient({ name, contact_email: 'dana@acme-dental.test' });

  await connect(page, 'Gmail');
  const card = page.getByRole('article', { name: 'Gmail' });
  await expect(card.getByText('owner@agency.test')).toBeVisible();
  await syncNow(page, 'Gmail');

  await new ClientsPage(page).goto(`?client=${client.id}`);
  const panel = new ClientPanel(page);
  await panel.expectOpen(name);
  const messages = panel.panel.getByRole('list', { name: 'Messages' });
  await expect(messages.getByText('Campaign results for October').first()).toBeVisible();
  await expect(messages.getByText('Needs reply').first()).toBeVisible();
  // Mail from other senders went to no client of this agency.
  await expect(messages.getByText('New landing page copy')).toHaveCount(0);

  const revocations = async (): Promise<number> => {
    const calls = await (await page.request.get(`${fakes}/_fake/calls?provider=google`)).json();
    return (calls.revocations.google as string[]).length;
  };
  const revokedBefore = await revocations();
  await page.goto('/integrations');
  await card.getByRole('button', { name: 'Disconnect Gmail' }).click();
  const dialog = page.getByRole('dialog', { name: 'Disconnect Gmail?' });
  await dialog.getByRole('button', { name: 'Disconnect' }).click();
  await expect(card.getByText('Status: Not connected')).toBeVisible();
  await expect(card.getByRole('button', { name: 'Connect Gmail' })).toBeVisible();
  // The fake saw the token revoked.
  expect(await revocations()).toBe(revokedBefore + 1);
  expect(signedInUser.firstName).toBeTruthy();
});

test('Meta Ads: connect, link an ad account to a client, sync, and see the spend on its chart', async ({ page, signedInUser, api }) => {
  const name = `Acme Dental ${randomBytes(3).toString('hex')}`;
  const client = await api.createClient({ name });

  await connect(page, 'Meta Ads');
  const card = page.getByRole('article', { name: 'Meta Ads' });
  await expect(card.getByText('Status: Connected')).toBeVisible({ timeout: 30_000 });
  await card.getByRole('button', { name: 'Link ad accounts' }).click();
  const linker = page.getByRole('dialog', { name: 'Link Meta Ads ad accounts to clients' });
  await linker.getByLabel('Client for Acme Dental Ads').selectOption({ label: name });
  await expect(linker.getByText('Saved', { exact: true }).last()).toBeVisible();
  await linker.getByRole('button', { name: 'Done' }).click();
  await syncNow(page, 'Meta Ads');
  await shot(page, 'integrations');

  await new ClientsPage(page).goto(`?client=${client.id}`);
  const panel = new ClientPanel(page);
  await panel.expectOpen(name);
  const chart = panel.panel.getByRole('img', { name: /^Ad performance from .*: \$[1-9][\d,]*(\.\d\d)? spend/ });
  await expect(chart).toBeVisible();
  await chart.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ARTIFACTS, 'client-ad-performance.png'), animations: 'disabled' });
  // The range control is a segmented radio group: its labels are what a person clicks.
  await panel.panel.getByRole('group', { name: 'Ad performance range' }).getByText('7 days', { exact: true }).click();
  await expect(panel.panel.getByRole('radio', { name: '7 days' })).toBeChecked();
  await expect(panel.panel.getByRole('img', { name: /^Ad performance from/ })).toBeVisible();
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Ad spend, last 30 days' })).toBeVisible();
  await shot(page, 'dashboard-ad-spend');
  expect(signedInUser.firstName).toBeTruthy();
});
