// The client detail panel's four pickers: each opens, saves, and the change is still there after a
// reload (the panel stays open through `?client=<id>`).
import { randomBytes } from 'node:crypto';
import { test, expect } from '../fixtures/test';
import { TINY_PNG } from '../fixtures/api';

const unique = (prefix: string) => `${prefix} ${randomBytes(3).toString('hex')}`;

test('the owner picker assigns a team member, kept after a reload', async ({ page, signedInUser, api, clients, panel }) => {
  const client = await api.createClient({ name: unique('Owner Co') });
  await clients.goto(`?client=${client.id}`);
  await panel.expectOpen(client.name);
  await expect(panel.panel).toContainText('Unassigned');

  await panel.picker('Change owner').click();
  const dialog = panel.dialog(`Owner of ${client.name}`);
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Search the team').fill(signedInUser.lastName);
  const fullName = `${signedInUser.firstName} ${signedInUser.lastName}`;
  await dialog.getByRole('radio', { name: new RegExp(fullName) }).check();
  await dialog.getByRole('button', { name: 'Save owner' }).click();
  await expect(dialog).toBeHidden();
  await expect(panel.panel.getByRole('definition').filter({ hasText: fullName })).toBeVisible();

  await page.reload();
  await panel.expectOpen(client.name);
  await expect(panel.panel.getByRole('definition').filter({ hasText: fullName })).toBeVisible();
  expect((await api.client(client.id)).owner?.name).toBe(fullName);
});

test('the label picker creates a coloured label and attaches it, kept after a reload', async ({
  page,
  signedInUser,
  api,
  clients,
  panel,
}) => {
  const client = await api.createClient({ name: unique('Label Co') });
  const label = unique('VIP');
  await clients.goto(`?client=${client.id}`);
  await panel.expectOpen(client.name);

  await panel.picker('Edit labels').click();
  const dialog = panel.dialog(`Labels of ${client.name}`);
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('New label', { exact: true }).fill(label);
  await dialog.getByRole('group', { name: 'Colour of the new label' }).getByRole('radio', { name: 'Teal' }).check();
  await dialog.getByRole('button', { name: 'Save labels' }).click();
  await expect(dialog).toBeHidden();
  await expect(panel.panel.getByText(label)).toBeVisible();

  await page.reload();
  await panel.expectOpen(client.name);
  await expect(panel.panel.getByText(label)).toBeVisible();

  // Detach it again through the same picker.
  await panel.picker('Edit labels').click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole('checkbox', { name: label }).uncheck();
  await dialog.getByRole('button', { name: 'Save labels' }).click();
  await expect(dialog).toBeHidden();
  await page.reload();
  await panel.expectOpen(client.name);
  await expect(panel.panel.getByText('No labels')).toBeVisible();
});

test('the due date picker sets a date with the keyboard calendar, kept after a reload', async ({
  page,
  signedInUser,
  api,
  clients,
  panel,
}) => {
  const client = await api.createClient({ name: unique('Due Co') });
  await clients.goto(`?client=${client.id}`);
  await panel.expectOpen(client.name);

  await panel.picker('Set due date').click();
  const dialog = panel.dialog(`Due date of ${client.name}`);
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: /^Today/ }).click();
  const grid = dialog.getByRole('grid');
  await grid.getByRole('button', { name: /\(today\)$/ }).focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');

  const target = new Date();
  target.setUTCDate(target.getUTCDate() + 8);
  const long = target.toLocaleDateString('en-US', { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
  await expect(dialog.getByText(`Due ${long}`)).toBeVisible();
  await dialog.getByRole('button', { name: 'Save due date' }).click();
  await expect(dialog).toBeHidden();

  const short = target.toLocaleDateString('en-US', { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
  await expect(panel.panel.getByRole('definition').filter({ hasText: short })).toBeVisible();
  await page.reload();
  await panel.expectOpen(client.name);
  await expect(panel.panel.getByRole('definition').filter({ hasText: short })).toBeVisible();
  expect((await api.client(client.id)).due_date).toBe(target.toISOString().slice(0, 10));

  // Clear removes it.
  await panel.picker('Set due date').click();
  await dialog.getByRole('button', { name: 'Clear' }).click();
  await dialog.getByRole('button', { name: 'Save due date' }).click();
  await expect(dialog).toBeHidden();
  await expect(panel.panel.getByText('No due date')).toBeVisible();
});

test('the file picker uploads with progress, lists and downloads, kept after a reload', async ({
  page,
  signedInUser,
  api,
  clients,
  panel,
}) => {
  const client = await api.createClient({ name: unique('File Co') });
  await clients.goto(`?client=${client.id}`);
  await panel.expectOpen(client.name);
  await expect(panel.panel.getByText('No files')).toBeVisible();

  await panel.picker('Manage files').click();
  const dialog = panel.dialog(`Files of ${client.name}`);
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('Choose a file').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: TINY_PNG });
  await dialog.getByRole('button', { name: 'Upload' }).click();
  await expect(dialog).toBeHidden();
  const link = panel.panel.getByRole('link', { name: 'logo.png' });
  await expect(link).toBeVisible();

  await page.reload();
  await panel.expectOpen(client.name);
  await expect(link).toBeVisible();
  const download = await page.request.get((await link.getAttribute('href')) ?? '');
  expect(download.status()).toBe(200);
  expect(download.headers()['content-type']).toContain('image/png');

  // Delete it from the picker's list.
  await panel.picker('Manage files').click();
  await dialog.getByRole('button', { name: 'Delete logo.png' }).click();
  await expect(dialog.getByText('No files yet.')).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await page.reload();
  await panel.expectOpen(client.name);
  await expect(panel.panel.getByText('No files')).toBeVisible();
});
