// SEO enrichment from the client detail, against the DataForSEO fake the e2e server starts: the
// summary and competitors appear with their fetch time, and stay after a reload.
import { randomBytes } from 'node:crypto';
import { test, expect } from '../fixtures/test';
import { ClientPanel, ClientsPage } from '../fixtures/pages';

test('Fetch SEO data shows the keywords and competitors of the website, and keeps them', async ({ page, signedInUser, api }) => {
  const name = `Summit Gear ${randomBytes(3).toString('hex')}`;
  const client = await api.createClient({ name, website: 'summitgear.example' });
  const clients = new ClientsPage(page);
  await clients.goto(`?client=${client.id}`);
  const panel = new ClientPanel(page);
  await panel.expectOpen(name);
  const seo = panel.panel.getByRole('region', { name: 'SEO' });
  await expect(seo.getByText('No SEO data yet')).toBeVisible();
  await seo.getByRole('button', { name: 'Fetch SEO data' }).click();
  await expect(seo.getByText('Organic keywords')).toBeVisible();
  await expect(seo.getByText(/summitgear\.example · fetched/)).toBeVisible();
  await expect(seo.getByRole('table').getByRole('row')).not.toHaveCount(1);

  await page.reload();
  await panel.expectOpen(name);
  await expect(seo.getByText('Organic keywords')).toBeVisible();
  await expect(seo.getByRole('button', { name: 'Refresh SEO data' })).toBeVisible();
  expect(signedInUser.firstName).toBeTruthy();
});
