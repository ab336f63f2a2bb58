// The client list: search, filters and sort live in the URL, so the same link in a fresh browser shows
// the same rows; a new client is created from the list.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { test, expect } from '../fixtures/test';
import { ClientsPage } from '../fixtures/pages';

test('the client list URL with filters reproduces the same rows', async ({ page, browser, baseURL, signedInUser, api, clients }) => {
  const tag = randomBytes(3).toString('hex');
  const audit = await api.stage('Audit');
  const live = await api.stage('Live');
  for (const [name, stage] of [
    [`Alpha ${tag}`, audit],
    [`Bravo ${tag}`, audit],
    [`Charlie ${tag}`, live],
    [`Delta ${tag}`, audit],
  ] as const) {
    await api.createClient({ name, stage_id: stage.id });
  }
  await api.createClient({ name: `Unrelated ${randomBytes(3).toString('hex')}`, stage_id: audit.id });

  await clients.goto();
  await clients.search.fill(tag);
  await expect(page).toHaveURL(new RegExp(`q=${tag}`));
  await clients.filter('Stage').selectOption({ label: 'Audit' });
  await expect(page).toHaveURL(new RegExp(`stage_id=${audit.id}`));
  await clients.filter('Sort by').selectOption({ label: 'Sort: Name' });
  await expect(page).toHaveURL(/sort=name/);
  await page.getByRole('button', { name: 'Sort direction: descending' }).click();
  await expect(page).toHaveURL(/dir=asc/);

  const expected = [`Alpha ${tag}`, `Bravo ${tag}`, `Delta ${tag}`];
  await expect.poll(() => clients.rowNames()).toEqual(expected);
  const link = page.url();

  // The same link, in a new tab of the same user, shows the same rows with the same controls set.
  const other = await browser.newContext({ baseURL });
  const login = await other.request.post('/api/v1/auth/login', {
    data: { email: signedInUser.email, password: signedInUser.password },
  });
  expect(login.status(), await login.text()).toBe(200);
  const otherPage = await other.newPage();
  await otherPage.goto(link);
  const otherList = new ClientsPage(otherPage);
  await expect(otherList.heading).toBeVisible();
  await expect.poll(() => otherList.rowNames()).toEqual(expected);
  await expect(otherList.search).toHaveValue(tag);
  await expect(otherList.filter('Stage')).toHaveValue(audit.id);
  await other.close();

  // Clearing the search widens the list again.
  await clients.search.fill('');
  await expect(page).not.toHaveURL(/q=/);
  await expect(clients.table.getByRole('rowheader').filter({ hasText: 'Unrelated' })).toBeVisible();
});

test('a new client is created from the list and opens in the panel', async ({ page, signedInUser, clients, panel }) => {
  const name = `New Co ${randomBytes(3).toString('hex')}`;
  await clients.goto();
  await page.getByRole('button', { name: 'New client' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'New client' });
  await dialog.getByRole('button', { name: 'Create client' }).click();
  await expect(dialog.getByText('Name is required')).toBeVisible();
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByLabel('Contact email').fill(`hello+${randomBytes(3).toString('hex')}@example.com`);
  await dialog.getByLabel('Stage').selectOption({ label: 'Installation' });
  await dialog.getByRole('button', { name: 'Create client' }).click();
  await expect(dialog).toBeHidden();
  await panel.expectOpen(name);
  await expect(clients.table.getByRole('rowheader').filter({ hasText: name })).toBeVisible();
});

test('a CSV import writes the good rows and reports the bad ones by line; export follows the filters', async ({
  page,
  signedInUser,
  clients,
}) => {
  const tag = randomBytes(3).toString('hex');
  const csv = [
    'name,contact_name,contact_email,website,stage',
    `Imported One ${tag},Pat Doe,pat+${tag}@example.com,one.example,Audit`,
    `,Nobody,bad-row+${tag}@example.com,,Audit`,
    `Imported Two ${tag},Sam Roe,sam+${tag}@example.com,two.example,Live`,
  ].join('\n');

  await clients.goto();
  await page.getByRole('button', { name: 'Import CSV' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import clients' });
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(dialog.getByRole('alert')).toContainText('Choose a CSV file first.');
  await dialog.getByLabel('CSV file').setInputFiles({ name: 'clients.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await dialog.getByRole('button', { name: 'Import' }).click();
  await expect(dialog.getByRole('status')).toContainText('2 created, 0 updated, 1 row skipped.');
  const report = dialog.getByRole('table', { name: 'Rows that were not imported' });
  await expect(report.getByRole('row')).toHaveCount(2);
  await expect(report.getByRole('row').nth(1).getByRole('cell').first()).toHaveText('3');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();
  await expect(clients.table.getByRole('rowheader').filter({ hasText: `Imported One ${tag}` })).toBeVisible();

  // Export with a search: only the matching clients, as an attachment.
  await clients.search.fill(`Imported Two ${tag}`);
  await expect(page).toHaveURL(/q=Imported/);
  const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
  expect(href).toContain('q=Imported');
  const exported = await page.request.get(href ?? '');
  expect(exported.status()).toBe(200);
  expect(exported.headers()['content-type']).toContain('text/csv');
  const text = await exported.text();
  expect(text.split('\n')[0]).toContain('name,contact_name,contact_email');
  expect(text).toContain(`Imported Two ${tag}`);
  expect(text).not.toContain(`Imported One ${tag}`);
});

test('a large CSV import runs as a job with a progress bar, then shows its report', async ({ page, signedInUser, clients }) => {
  const tag = randomBytes(3).toString('hex');
  const rows = ['name,contact_email'];
  for (let n = 0; n < 2500; n++) rows.push(`Bulk ${tag} ${String(n).padStart(4, '0')},bulk${n}+${tag}@example.com`);
  rows.push(`,missing-name+${tag}@example.com`);

  await clients.goto();
  await page.getByRole('button', { name: 'Import CSV' }).click();
  const dialog = page.getByRole('dialog', { name: 'Import clients' });
  await dialog.getByLabel('CSV file').setInputFiles({ name: 'bulk.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
  await dialog.getByRole('button', { name: 'Import' }).click();
  const bar = dialog.getByRole('progressbar', { name: 'Import progress' });
  await expect(bar).toBeVisible();
  await expect(dialog.getByText('You can close this window; the import goes on.')).toBeVisible();
  await page.screenshot({ path: path.join(__dirname, '..', 'artifacts', 'client-import-progress.png'), animations: 'disabled' });
  await expect(dialog.getByRole('status')).toContainText('2500 created, 0 updated, 1 row skipped.', { timeout: 60_000 });
  await expect(bar).toBeHidden();
  const report = dialog.getByRole('table', { name: 'Rows that were not imported' });
  await expect(report.getByRole('row').nth(1).getByRole('cell').first()).toHaveText('2502');
  await page.screenshot({ path: path.join(__dirname, '..', 'artifacts', 'client-import-report.png'), animations: 'disabled' });
  await dialog.getByRole('button', { name: 'Done' }).click();
  await clients.search.fill(`Bulk ${tag} 2499`);
  await expect(clients.table.getByRole('rowheader').filter({ hasText: `Bulk ${tag} 2499` })).toBeVisible();
});
