// Signing up, signing out and in, a wrong password, and resetting a forgotten password by email.
import { test, expect } from '../fixtures/test';
import { waitForResetLink } from '../fixtures/mail';
import { newPassword } from '../fixtures/users';

test('signing up a new agency lands in the app', async ({ page, user, signUp, shell }) => {
  await signUp.goto();
  await signUp.signUp(user);

  await expect(shell.welcome(user.firstName)).toBeVisible();
  await expect(shell.nav.getByRole('link', { name: 'Dashboard' })).toBeVisible();
  await expect(shell.nav.getByRole('link', { name: 'Settings' })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe('/');
});

test('signing out lands on the sign-in page and signing in again lands in the app', async ({
  page,
  signedInUser,
  signIn,
  shell,
}) => {
  await shell.signOut();

  await expect(signIn.heading).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(shell.nav).toBeHidden();

  await signIn.signIn(signedInUser.email, signedInUser.password);
  await shell.expectDashboard(signedInUser.firstName);
});

test('a wrong password shows the error in the form and stays on the sign-in page', async ({
  page,
  existingUser,
  signIn,
  shell,
}) => {
  await signIn.goto();
  await signIn.signIn(existingUser.email, `${existingUser.password}-wrong`);

  await expect(signIn.error).toHaveText('Email or password is incorrect.');
  expect(new URL(page.url()).pathname).toBe('/sign-in');
  await expect(shell.nav).toBeHidden();
});

test('a forgotten password is reset through the emailed link and the old one stops working', async ({
  page,
  existingUser,
  signIn,
  forgotPassword,
  resetPassword,
  shell,
}) => {
  await signIn.goto();
  await signIn.forgotPassword.click();
  await expect(page).toHaveURL(/\/forgot-password/);
  await forgotPassword.requestLink(existingUser.email);
  await expect(page.getByRole('status').filter({ hasText: 'Check your email' })).toBeVisible();

  const link = await waitForResetLink(existingUser.email);
  expect(link).toMatch(/^\/reset-password\?token=./);
  const fresh = newPassword();
  await resetPassword.open(link);
  await resetPassword.setPassword(fresh);
  await expect(page.getByRole('status').filter({ hasText: 'Your password has been set' })).toBeVisible();
  await expect(resetPassword.submit).toBeHidden();

  await signIn.goto();
  await signIn.signIn(existingUser.email, existingUser.password);
  await expect(signIn.error).toHaveText('Email or password is incorrect.');

  await signIn.password.fill(fresh);
  await signIn.submit.click();
  await shell.expectDashboard(existingUser.firstName);
});
