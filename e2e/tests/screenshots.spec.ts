// A full-page screenshot of every main view, saved under e2e/artifacts/ for people to look at.
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from '../fixtures/test';
import { newUser, signUpViaApi } from '../fixtures/users';
import { Api, isoDay, TINY_PNG } from '../fixtures/api';
import { ClientPanel, ClientsPage, PipelinePage } from '../fixtures/pages';

const ARTIFACTS = path.join(__dirname, '..', 'artifacts');

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

test('every main view is captured', async ({ page, signIn, signUp, forgotPassword, resetPassword, shell, apiKeys }) => {
  await signIn.goto();
  await shot(page, 'sign-in');

  await signUp.goto();
  await shot(page, 'sign-up');

  await forgotPassword.goto();
  await shot(page, 'forgot-password');

  await resetPassword.open('/reset-password?token=example-token-from-the-email');
  await shot(page, 'reset-password');

  const user = newUser();
  await signUpViaApi(page.request, user);
  await page.goto('/');
  await shell.expectDashboard(user.firstName);
  await shot(page, 'dashboard');

  // A small, believable book of clients for the pipeline, list, panel and dashboard shots.
  const api = Api.of(page);
  const stages = await api.stages();
  const names = [
    'Acme Outdoor Co.',
    'Birch & Pine Coffee',
    'Cobalt Fitness',
    'Driftwood Surf Shop',
    'Evergreen Dental',
    'Foxglove Florist',
    'Granite Legal',
    'Harbor Yoga',
  ];
  const created = [];
  for (const [i, name] of names.entries()) {
    const slug = name.toLowerCase().replace(/[^a-z]+/g, '');
    created.push(
      await api.createClient({
        name,
        stage_id: stages[i % stages.length].id,
        contact_email: `owner@${slug}.example`,
        due_date: i % 3 === 0 ? isoDay(i - 2) : undefined,
      }),
    );
  }
  const me = await api.get<{ user: { id: string } }>('/api/v1/auth/me');
  for (const c of created.slice(0, 5)) {
    await api.put(`/api/v1/clients/${c.id}/owner`, { user_id: me.user.id });
  }
  const label = await api.post<{ id: string }>('/api/v1/labels', { name: 'Priority', color: '#eb5757' });
  await api.put(`/api/v1/clients/${created[0].id}/labels/${label.id}`);
  await api.post(`/api/v1/clients/${created[0].id}/notes`, { body: 'Kick-off call went well; pixel install booked for Thursday.' });
  await api.post(`/api/v1/clients/${created[0].id}/tasks`, { title: 'Install the Meta pixel', due_date: isoDay(2) });
  const upload = await page.request.post(`/api/v1/clients/${created[0].id}/files`, {
    multipart: { file: { name: 'brand-logo.png', mimeType: 'image/png', buffer: TINY_PNG } },
    headers: { 'X-CSRF-Token': (await page.context().cookies()).find((c) => c.name === 'aos_csrf')?.value ?? '' },
  });
  expect(upload.status(), await upload.text()).toBe(201);

  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Key numbers' })).toBeVisible();
  await expect(page.getByRole('img', { name: /Daily activity/ })).toBeVisible();
  await shot(page, 'dashboard-issue3');

  const pipeline = new PipelinePage(page);
  await pipeline.goto();
  await expect(pipeline.column('Onboarding').getByRole('button', { name: /Acme Outdoor/ })).toBeVisible();
  await shot(page, 'pipeline');

  const clients = new ClientsPage(page);
  await clients.goto();
  await expect(clients.table.getByRole('rowheader').first()).toBeVisible();
  await shot(page, 'clients-list');

  await clients.goto(`?client=${created[0].id}`);
  const panel = new ClientPanel(page);
  await panel.expectOpen('Acme Outdoor Co.');
  await expect(panel.panel.getByRole('link', { name: 'brand-logo.png' })).toBeVisible();
  await shot(page, 'client-detail');

  await panel.picker('Set due date').click();
  await expect(page.getByRole('dialog', { name: /Due date of/ })).toBeVisible();
  await shot(page, 'due-date-picker');
  await page.keyboard.press('Escape');

  await shell.openSettings('Account');
  await expect(page.getByRole('button', { name: 'Change password' })).toBeVisible();
  await shot(page, 'settings-account');

  await shell.openSettings('API keys');
  await expect(apiKeys.heading).toBeVisible();
  await apiKeys.openCreateDialog('Looker Studio export');
  await shot(page, 'create-key-modal');
  await apiKeys.createDialog.getByRole('button', { name: 'Create key' }).click();
  await expect(apiKeys.secret).toHaveValue(/^aos_/);
  await shot(page, 'create-key-modal-secret');
  await apiKeys.closeCreateDialog();
  await expect(apiKeys.row('Looker Studio export')).toContainText('Active');
  await shot(page, 'settings-api-keys');

  await shell.openSettings('Audit log');
  await expect(page.getByRole('heading', { name: 'Audit log', exact: true })).toBeVisible();
  await expect(page.getByRole('row').nth(1)).toBeVisible();
  await shot(page, 'settings-audit-log');

  // SEO: a client with a website, looked up on the DataForSEO fake the e2e server runs.
  const seoClient = await api.createClient({ name: 'Juniper Running Co.', website: 'juniperrunning.example' });
  await clients.goto(`?client=${seoClient.id}`);
  await panel.expectOpen('Juniper Running Co.');
  const seo = panel.panel.getByRole('region', { name: 'SEO' });
  await seo.getByRole('button', { name: 'Fetch SEO data' }).click();
  await expect(seo.getByText('Organic keywords')).toBeVisible();
  await seo.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(ARTIFACTS, 'client-seo.png'), animations: 'disabled' });

  // Onboarding: a few onboardings at different stages, the drawer, the editors and the client's form.
  const journeys = await api.get<{ id: string; is_default: boolean; stages: { id: string }[] }[]>('/api/v1/onboarding/journeys');
  const journey = journeys.find((j) => j.is_default) ?? journeys[0];
  let intakeUrl = '';
  for (const [i, c] of created.slice(0, 6).entries()) {
    const started = await api.post<{ instance: { id: string; current_stage_id: string }; link: { intake_url: string } }>(
      '/api/v1/onboarding/instances',
      { client_id: c.id, send_email: false },
    );
    if (i === 0) intakeUrl = started.link.intake_url;
    const target = journey.stages[i % journey.stages.length].id;
    if (target !== started.instance.current_stage_id) {
      await api.patch(`/api/v1/onboarding/instances/${started.instance.id}/stage`, {
        from_stage_id: started.instance.current_stage_id,
        action: 'set_current',
        stage_id: target,
      });
    }
    if (i === 4) {
      await api.patch(`/api/v1/onboarding/instances/${started.instance.id}/stage`, {
        from_stage_id: target,
        action: 'block',
        reason: 'Waiting for Shopify staff access',
      });
    }
  }
  await page.goto('/onboarding');
  await expect(page.getByRole('region', { name: 'Intake Received', exact: true })).toBeVisible();
  await shot(page, 'onboarding-board');
  await page.getByRole('button', { name: /^Acme Outdoor Co\./ }).click();
  await expect(page.getByRole('complementary', { name: 'Onboarding details' }).getByRole('heading', { name: 'Stages' })).toBeVisible();
  await shot(page, 'onboarding-detail');
  await page.goto('/onboarding/journeys');
  await expect(page.getByRole('button', { name: 'Save journey' })).toBeVisible();
  await shot(page, 'onboarding-journeys');
  await page.goto('/onboarding/form');
  await page.getByRole('button', { name: /^Meta Pixel ID/ }).click();
  await expect(page.getByRole('heading', { name: 'Edit field' })).toBeVisible();
  await shot(page, 'onboarding-form-builder');

  const visitor = await page.context().browser()!.newContext({ viewport: { width: 390, height: 844 } });
  const phone = await visitor.newPage();
  await phone.goto(new URL(intakeUrl).pathname);
  await expect(phone.getByRole('heading', { name: 'Before we start' })).toBeVisible();
  await shot(phone, 'intake-welcome-phone');
  await phone.getByRole('button', { name: 'Start' }).click();
  await phone.getByRole('button', { name: 'Next' }).click();
  await expect(phone.getByText('Business name is required.')).toBeVisible();
  await shot(phone, 'intake-step-errors-phone');
  await phone.goto('/intake/this-link-does-not-exist');
  await expect(phone.getByRole('heading', { name: 'This link is no longer valid' })).toBeVisible();
  await shot(phone, 'intake-invalid-link-phone');
  await visitor.close();

  await page.route('**/api/v1/api-keys**', (route) =>
    route.fulfill({
      status: 500,
      contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'about:blank', title: 'Internal server error', status: 500, code: 'internal', request_id: 'screenshot' }),
    }),
  );
  await shell.openSettings('API keys');
  await expect(apiKeys.fallbackHeading).toBeVisible();
  await shot(page, 'section-fallback');
});
