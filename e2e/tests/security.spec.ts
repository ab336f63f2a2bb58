// The Content-Security-Policy the server sends: the SPA and the API docs work under it (the automatic
// `cspViolations` fixture fails any test that trips it), and the policies say what they should.
import { test, expect } from '../fixtures/test';

test('the app is served with a strict policy and runs under it', async ({ page, signedInUser }) => {
  const res = await page.goto('/clients');
  const policy = res?.headers()['content-security-policy'] ?? '';
  expect(policy).toContain("default-src 'self'");
  expect(policy).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/);
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).toContain("object-src 'none'");
  await expect(page.getByRole('heading', { name: 'Clients' })).toBeVisible();
  expect(signedInUser.email).toContain('@');
});

test('an inline script that is not the app\'s own is refused', async ({ page, signedInUser, cspViolations }) => {
  await page.goto('/');
  expect(signedInUser.email).toContain('@');
  const ran = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__injected = true;';
    document.body.appendChild(s);
    return (window as unknown as { __injected?: boolean }).__injected === true;
  });
  expect(ran).toBe(false);
  // The refusal is the violation the fixture would report; it is expected here, so clear it.
  await expect.poll(() => cspViolations.length).toBeGreaterThan(0);
  cspViolations.length = 0;
});

test('the API documentation renders under its own policy', async ({ page }) => {
  const res = await page.goto('/api/docs/');
  expect(res?.headers()['content-security-policy'] ?? '').toContain("default-src 'self'");
  await expect(page.getByText('AudienceOS API').first()).toBeVisible();
});
