// Keyboard use of the app shell: the first Tab reaches "Skip to content", and Enter moves focus to the
// page's content without leaving the page.
import { test, expect } from '../fixtures/test';

test('"Skip to content" moves focus to the page content and stays on the page', async ({ page, signedInUser, clients }) => {
  await clients.goto();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#main')).toBeFocused();
  await expect(page).toHaveURL(/\/clients$/);
  await expect(clients.heading).toBeVisible();
});
