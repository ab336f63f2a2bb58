// The command palette and keyboard shortcuts (issue 20): Ctrl+K opens the palette, which finds a client
// by part of its name and opens it; its actions open the pages' "new" forms; `g` then a letter goes to a
// page (never while typing in a field); `?` shows the sheet of every shortcut.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from '../fixtures/test';

const ARTIFACTS = path.join(__dirname, '..', 'artifacts');

function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), animations: 'disabled' });
}

test('Ctrl+K opens the palette, which finds a client by part of its name and opens it', async ({
  page,
  signedInUser,
  api,
  panel,
}) => {
  const tag = randomBytes(3).toString('hex');
  const name = `Palette Outdoor Co ${tag}`;
  const client = await api.createClient({ name });
  await api.createClient({ name: `Unrelated ${randomBytes(3).toString('hex')}` });

  await page.keyboard.press('Control+K');
  const palette = page.getByRole('dialog', { name: 'Command palette' });
  await expect(palette).toBeVisible();
  const input = palette.getByRole('combobox');
  await expect(input).toBeFocused();
  // Before typing: the pages and actions, the first one active.
  await expect(palette.getByRole('group', { name: 'Pages' }).getByRole('option', { name: /Clients/ })).toBeVisible();
  await expect(palette.getByRole('group', { name: 'Actions' }).getByRole('option', { name: /New client/ })).toBeVisible();
  await expect(input).toHaveAttribute('aria-activedescendant', /.+/);
  await shot(page, 'palette-open');

  await input.fill(`outdoor co ${tag}`);
  const clients = palette.getByRole('group', { name: 'Clients' });
  const option = clients.getByRole('option', { name: new RegExp(name) });
  await expect(option).toBeVisible();
  await expect(option).toHaveAttribute('aria-selected', 'true');
  await expect(clients.getByRole('option')).toHaveCount(1);
  await shot(page, 'palette-client-search');

  await page.keyboard.press('Enter');
  await expect(palette).toBeHidden();
  await expect(page).toHaveURL(new RegExp(`/clients\\?client=${client.id}$`));
  await panel.expectOpen(name);

  // Nothing found: the palette says so. Escape closes it and gives focus back to the "Search" button.
  await page.keyboard.press('Escape');
  await expect(panel.panel).toBeHidden();
  const search = page.getByRole('button', { name: 'Search…' });
  await search.click();
  await expect(palette).toBeVisible();
  await input.fill(`nothing-called-${tag}`);
  await expect(palette.getByText(`No results for “nothing-called-${tag}”`)).toBeVisible();
  await shot(page, 'palette-no-results');
  await page.keyboard.press('Escape');
  await expect(palette).toBeHidden();
  await expect(search).toBeFocused();
});

test('the arrow keys pick a page and the actions open the new-client, onboarding and task forms', async ({ page, signedInUser }) => {
  const palette = page.getByRole('dialog', { name: 'Command palette' });
  const input = palette.getByRole('combobox');

  await page.keyboard.press('Control+K');
  await input.fill('pipe');
  await page.keyboard.press('ArrowDown');
  const selected = palette.getByRole('option', { selected: true });
  await expect(selected).toContainText('Pipeline');
  await expect(selected).toContainText('Settings');
  await page.keyboard.press('ArrowUp');
  await expect(selected).toHaveText(/^Pipeline/);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/pipeline$/);

  await page.keyboard.press('Control+K');
  await input.fill('new client');
  await expect(palette.getByRole('option', { selected: true })).toContainText('New client');
  await page.keyboard.press('Enter');
  const newClient = page.getByRole('dialog', { name: 'New client' });
  await expect(newClient).toBeVisible();
  await expect(page).toHaveURL(/\/clients$/);
  await expect(newClient.getByLabel('Name', { exact: true })).toBeFocused();
  await newClient.getByRole('button', { name: 'Cancel' }).click();
  await expect(newClient).toBeHidden();

  await page.keyboard.press('Control+K');
  await input.fill('start onb');
  await page.keyboard.press('Enter');
  const startOnboarding = page.getByRole('dialog', { name: 'Start onboarding' });
  await expect(startOnboarding).toBeVisible();
  await expect(page).toHaveURL(/\/onboarding$/);
  await startOnboarding.getByRole('button', { name: 'Cancel' }).click();

  // "New task" opens the tasks page's form (its own `?new=1`).
  await page.keyboard.press('Control+K');
  await input.fill('new task');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'New task' })).toBeVisible();
  await expect(page).toHaveURL(/\/tasks\?new=1$/);
});

test('g then a letter goes to a page, not while typing; ? lists every shortcut', async ({ page, signedInUser, clients }) => {
  await page.keyboard.press('g');
  await expect(page.getByRole('status').getByText('Go to', { exact: true })).toBeVisible();
  await page.keyboard.press('c');
  await expect(page).toHaveURL(/\/clients$/);
  await expect(clients.heading).toBeVisible();

  // Typing "g" and "d" in a field searches; it does not leave the page.
  await clients.search.fill('');
  await clients.search.press('g');
  await clients.search.press('d');
  await expect(clients.search).toHaveValue('gd');
  await expect(page).toHaveURL(/\/clients\?q=gd$/);
  await clients.search.blur();

  await page.keyboard.press('g');
  await page.keyboard.press('i');
  await expect(page).toHaveURL(/\/inbox$/);

  await page.keyboard.press('?');
  const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(sheet).toBeVisible();
  await expect(sheet.getByText('Open the command palette', { exact: false })).toBeVisible();
  for (const name of ['Dashboard', 'Pipeline', 'Clients', 'Inbox', 'Tasks', 'Onboarding', 'Settings']) {
    await expect(sheet.getByRole('definition').filter({ hasText: new RegExp(`^${name}$`) })).toBeVisible();
  }
  await expect(sheet.getByRole('button', { name: 'Close' })).toBeFocused();
  await shot(page, 'shortcut-sheet');
  await page.keyboard.press('Escape');
  await expect(sheet).toBeHidden();

  await page.keyboard.press('g');
  await page.keyboard.press('d');
  await expect(page).toHaveURL(/\/$/);

  // The hint `g` shows while it waits for its letter; Escape forgets the `g`.
  await page.keyboard.press('g');
  const hint = page.getByRole('status').getByText('Go to', { exact: true });
  await expect(hint).toBeVisible();
  await shot(page, 'shortcut-go-hint');
  await page.keyboard.press('Escape');
  await expect(hint).toBeHidden();
  await page.keyboard.press('c');
  await expect(page).toHaveURL(/\/$/);
});

test('the palette finds a Gmail thread by its subject and opens it in the inbox', async ({ page, signedInUser, api }) => {
  const tag = randomBytes(3).toString('hex');
  const email = `dana+${tag}@palette-dental.test`;
  await api.createClient({ name: `Palette Dental ${tag}`, contact_email: email });

  // Connect the fake Gmail, drop a message from the client into its mailbox and sync it in.
  await page.goto('/integrations');
  const card = page.getByRole('article', { name: 'Gmail' });
  await card.getByRole('button', { name: 'Connect Gmail' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(card.getByText('Status: Connected')).toBeVisible({ timeout: 30_000 });
  const subject = `Budget question ${tag}`;
  const fakes = `http://127.0.0.1:${Number(process.env.AOS_E2E_PORT ?? 18080) + 1}`;
  const injected = await page.request.post(`${fakes}/_fake/google/messages`, {
    data: { from: `Dana Reed <${email}>`, subject, body: `Can we raise the budget? ${tag}` },
  });
  expect(injected.status()).toBe(200);
  const gmail = (await api.get<{ id: string; provider: string }[]>('/api/v1/integrations')).find((i) => i.provider === 'gmail')!;
  await api.post(`/api/v1/integrations/${gmail.id}/sync`, {}, [202]);
  await expect
    .poll(async () => (await api.get<{ items: unknown[] }>(`/api/v1/communications/threads?q=${tag}`)).items.length, {
      timeout: 30_000,
    })
    .toBe(1);

  await page.keyboard.press('Control+K');
  const palette = page.getByRole('dialog', { name: 'Command palette' });
  await palette.getByRole('combobox').fill(`budget question ${tag}`);
  const thread = palette.getByRole('group', { name: 'Threads' }).getByRole('option', { name: new RegExp(subject) });
  await expect(thread).toBeVisible();
  await expect(thread).toContainText(`Palette Dental ${tag} · Gmail`);
  await shot(page, 'palette-thread-search');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/inbox\?thread=gmail/);
  await expect(page.getByRole('region', { name: 'Thread', exact: true }).getByText(`Can we raise the budget? ${tag}`)).toBeVisible();
});

test('on a phone the top bar has the search button, which opens the palette', async ({ page, signedInUser }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const search = page.getByRole('button', { name: 'Search…' });
  await expect(search).toBeVisible();
  await shot(page, 'palette-narrow-top-bar');
  await search.click();
  const palette = page.getByRole('dialog', { name: 'Command palette' });
  await expect(palette.getByRole('combobox')).toBeFocused();
  await palette.getByRole('combobox').fill('set');
  await expect(palette.getByRole('option', { name: /Account/ })).toBeVisible();
  await shot(page, 'palette-narrow');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(390);
});
