// Onboarding end to end: an agency user starts an onboarding, the client opens the emailed link in a
// browser of their own, gets a field wrong, fixes it and submits; the agency sees the answers, moves the
// onboarding on the board (it stays there after a reload) and revokes the link, which the client's page
// then reports as no longer valid. The public routes allow 10 requests a minute per IP: the 11th shows
// the rate-limit message. Each client browser gets its own X-Forwarded-For address (the e2e server
// trusts 127.0.0.1 as a proxy), so these quotas belong to this test alone.
import { randomBytes, randomInt } from 'node:crypto';
import { test, expect } from '../fixtures/test';
import { waitForLink } from '../fixtures/mail';
import type { Browser } from '@playwright/test';

const unique = (prefix: string) => `${prefix} ${randomBytes(3).toString('hex')}`;
/** A pattern for a full URL ending in `path` (the mail fixture gives links as paths). */
const endsWith = (path: string) => new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
const fakeIp = () => `10.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(1, 255)}`;

/** A browser context of "the client": no agency cookies, its own IP as the server sees it. */
async function clientContext(browser: Browser, baseURL: string | undefined, ip: string) {
  return browser.newContext({ baseURL, extraHTTPHeaders: { 'X-Forwarded-For': ip } });
}

test('a client fills the emailed intake form, the agency sees the answers, moves the onboarding and revokes the link', async ({
  page,
  browser,
  baseURL,
  signedInUser,
}) => {
  test.slow();
  const clientName = unique('Trailhead Goods');
  const email = `owner-${randomBytes(4).toString('hex')}@trailhead.example`;

  // Start the onboarding from the hub, for a new client.
  await page.getByRole('link', { name: 'Onboarding', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Onboarding', exact: true })).toBeVisible();
  await expect(page.getByText('No onboardings yet')).toBeVisible();
  await page.getByRole('button', { name: 'Start onboarding' }).click();
  const dialog = page.getByRole('dialog', { name: 'Start onboarding' });
  await dialog.getByText('New client', { exact: true }).click();
  await dialog.getByLabel('Client name').fill(clientName);
  await dialog.getByLabel('Contact email').fill(email);
  await dialog.getByLabel('Website').fill('trailhead.example');
  await dialog.getByRole('button', { name: 'Start onboarding' }).click();
  await expect(dialog.getByText(`on its way to ${email}`)).toBeVisible();
  await expect(dialog.getByLabel('Intake link')).toHaveValue(/\/intake\//);
  await dialog.getByRole('button', { name: 'Done' }).click();

  // The drawer of the new onboarding is open; the card sits in the first stage.
  const drawer = page.getByRole('complementary', { name: 'Onboarding details' });
  await expect(drawer.getByRole('heading', { name: clientName })).toBeVisible();
  await drawer.getByRole('button', { name: 'Close onboarding details' }).click();
  const column = (stage: string) => page.getByRole('region', { name: stage, exact: true });
  await expect(column('Intake Received').getByRole('button', { name: new RegExp(clientName) })).toBeVisible();

  // The client opens the emailed link in a browser of their own.
  const link = await waitForLink(email, /\/intake\/[A-Za-z0-9_-]+/, 'an intake link');
  const clientBrowser = await clientContext(browser, baseURL, fakeIp());
  const client = await clientBrowser.newPage();
  await client.setViewportSize({ width: 390, height: 844 });
  await client.goto(link);
  // Titled with the agency's name, never the journey's internal one; each step is headed by its fields.
  await expect(client.getByRole('heading', { name: signedInUser.agencyName, level: 1 })).toBeVisible();
  await expect(client.getByText('Standard onboarding')).toHaveCount(0);
  await client.getByRole('button', { name: 'Start' }).click();
  await expect(client.getByRole('heading', { name: /^Business name, / })).toBeVisible();

  // Step 1: an empty required field is caught before anything is sent.
  await client.getByRole('button', { name: 'Next' }).click();
  await expect(client.getByText('Business name is required.')).toBeVisible();
  await client.getByLabel('Business name').fill(clientName);
  await client.getByLabel('Contact email').fill(email);
  // A website without its scheme is completed, as in the New-client form.
  await client.getByLabel('Website').fill('trailhead.example');
  await client.getByLabel('Website').press('Tab');
  await client.getByLabel('Store platform').selectOption('Shopify');
  await expect(client.getByLabel('Website')).toHaveValue('https://trailhead.example');
  await client.getByRole('button', { name: 'Next' }).click();

  // Step 2: a Meta Pixel ID the server's pattern refuses when the step is saved.
  await client.getByLabel('Meta Pixel ID').fill('12345');
  const refused = client.waitForResponse((r) => r.url().endsWith('/draft'));
  await client.getByRole('button', { name: 'Next' }).click();
  expect((await refused).status()).toBe(422);
  await expect(client.getByText('Meta Pixel ID is not in the expected format.')).toBeVisible();
  await expect(client.getByLabel('Meta Pixel ID')).toHaveAttribute('aria-invalid', 'true');
  await expect(client.getByText('Some answers need a fix')).toBeVisible();

  // Fix it, review and send.
  await client.getByLabel('Meta Pixel ID').fill('123456789012345');
  await client.getByRole('button', { name: 'Next' }).click();
  await client.getByLabel('Goals for the first 90 days').fill('Profitable Meta ads by spring.');
  await client.getByRole('button', { name: 'Next' }).click();
  await expect(client.getByRole('heading', { name: 'Check your answers' })).toBeVisible();
  await expect(client.getByText('Profitable Meta ads by spring.')).toBeVisible();
  await expect(client.getByText('https://trailhead.example')).toBeVisible();
  await client.getByRole('button', { name: 'Submit' }).click();
  await expect(client.getByRole('heading', { name: 'Thank you!' })).toBeVisible();

  // The agency sees the answers; submitting completed the first stage.
  await page.reload();
  const card = (stage: string) => column(stage).getByRole('button', { name: new RegExp(clientName) });
  await expect(card('Access Verified')).toBeVisible();
  await card('Access Verified').click();
  await expect(drawer.getByText('123456789012345')).toBeVisible();
  await expect(drawer.getByText('Shopify', { exact: true })).toBeVisible();
  await drawer.getByRole('button', { name: 'Close onboarding details' }).click();

  // Drag the onboarding to the next stage; it stays there after a reload.
  const moved = page.waitForResponse((r) => r.url().endsWith('/stage') && r.request().method() === 'PATCH');
  await card('Access Verified').dragTo(column('Pixel Install'));
  expect((await moved).status()).toBe(200);
  await expect(card('Pixel Install')).toBeVisible();
  await page.reload();
  await expect(card('Pixel Install')).toBeVisible();
  await expect(card('Access Verified')).toHaveCount(0);

  // Revoke the link: the client's page says it is no longer valid.
  await card('Pixel Install').click();
  await drawer.getByRole('button', { name: 'Revoke link' }).click();
  await page.getByRole('alertdialog', { name: 'Revoke the intake link?' }).getByRole('button', { name: 'Revoke', exact: true }).click();
  await expect(drawer.getByText('Revoked', { exact: true })).toBeVisible();
  await client.reload();
  await expect(client.getByRole('heading', { name: 'This link is no longer valid' })).toBeVisible();
  await clientBrowser.close();
});

test('the 11th public request in a minute shows the rate-limit message', async ({ browser, baseURL }) => {
  const ip = fakeIp();
  const visitor = await clientContext(browser, baseURL, ip);
  const page = await visitor.newPage();
  const token = randomBytes(32).toString('base64url');
  for (let i = 0; i < 10; i += 1) {
    const res = await page.request.get(`/api/public/onboarding/${token}`, { headers: { 'X-Forwarded-For': ip } });
    expect(res.status()).toBe(404);
  }
  await page.goto(`/intake/${token}`);
  await expect(page.getByRole('heading', { name: 'Too many requests' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Try again' })).toBeVisible();
  await visitor.close();
});

test('copying or resending the link keeps the emailed one working; only "issue new link" replaces it', async ({
  page,
  browser,
  baseURL,
  signedInUser,
}) => {
  const clientName = unique('Keepsake Co');
  const email = `owner-${randomBytes(4).toString('hex')}@keepsake.example`;
  await page.getByRole('link', { name: 'Onboarding', exact: true }).click();
  await page.getByRole('button', { name: 'Start onboarding' }).click();
  const dialog = page.getByRole('dialog', { name: 'Start onboarding' });
  await dialog.getByText('New client', { exact: true }).click();
  await dialog.getByLabel('Client name').fill(clientName);
  await dialog.getByLabel('Contact email').fill(email);
  await dialog.getByRole('button', { name: 'Start onboarding' }).click();
  await expect(dialog.getByText(`on its way to ${email}`)).toBeVisible();
  await dialog.getByRole('button', { name: 'Done' }).click();
  const emailed = await waitForLink(email, /\/intake\/[A-Za-z0-9_-]+/, 'an intake link');

  // "Copy link" shows the link that was emailed, and "Resend email" sends that same link again.
  const drawer = page.getByRole('complementary', { name: 'Onboarding details' });
  await drawer.getByRole('button', { name: 'Copy link' }).click();
  await expect(drawer.getByRole('textbox', { name: 'Intake link' })).toHaveValue(endsWith(emailed));
  await drawer.getByRole('button', { name: `Resend email to ${email}` }).click();
  await expect(page.getByText('The link was emailed to the client again.')).toBeVisible();
  await expect(drawer.getByRole('textbox', { name: 'Intake link' })).toHaveValue(endsWith(emailed));

  // The emailed link still opens the form, in the client's own browser.
  const clientBrowser = await clientContext(browser, baseURL, fakeIp());
  const client = await clientBrowser.newPage();
  await client.goto(emailed);
  await expect(client.getByRole('button', { name: 'Start' })).toBeVisible();

  // Issuing a new link is explicit, confirmed, and ends the old one.
  await drawer.getByRole('button', { name: 'Revoke and issue new link' }).click();
  await page.getByRole('alertdialog', { name: 'Issue a new intake link?' }).getByRole('button', { name: 'Issue new link' }).click();
  await expect(page.getByText('New link ready. The old link no longer works.')).toBeVisible();
  await expect(drawer.getByRole('textbox', { name: 'Intake link' })).not.toHaveValue(endsWith(emailed));
  await client.reload();
  await expect(client.getByRole('heading', { name: 'This link is no longer valid' })).toBeVisible();
  await clientBrowser.close();
});
