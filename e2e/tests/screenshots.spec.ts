// A full-page screenshot of every main view, saved under e2e/artifacts/ for people to look at.
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from '../fixtures/test';
import { newUser, signUpViaApi } from '../fixtures/users';

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
