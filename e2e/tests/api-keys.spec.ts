// Settings > API keys: a key is shown once, works as a bearer token, and stops working when revoked.
import { randomBytes } from 'node:crypto';
import { test, expect } from '../fixtures/test';

test('an API key is created, authenticates API calls, and is refused once revoked', async ({
  request,
  signedInUser,
  shell,
  apiKeys,
}) => {
  await shell.openSettings('API keys');
  await expect(apiKeys.heading).toBeVisible();

  const name = `Reporting ${randomBytes(3).toString('hex')}`;
  const key = await apiKeys.createKey(name);
  expect(key).toMatch(/^aos_/);
  await apiKeys.closeCreateDialog();
  await expect(apiKeys.row(name)).toContainText('Active');

  // `request` has no cookies: the bearer key is the only credential.
  const bearer = { Authorization: `Bearer ${key}` };
  const me = await request.get('/api/v1/auth/me', { headers: bearer });
  expect(me.status(), await me.text()).toBe(200);
  expect((await me.json()).user.email).toBe(signedInUser.email);

  await apiKeys.revoke(name);
  await expect(apiKeys.row(name)).toContainText('Revoked');

  const refused = await request.get('/api/v1/auth/me', { headers: bearer });
  expect(refused.status()).toBe(401);
});
