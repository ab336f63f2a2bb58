// A failed request in one section shows that section's fallback with a retry; the rest of the app works.
import { test, expect } from '../fixtures/test';

const API_KEYS = '**/api/v1/api-keys**';

const failures = [
  {
    name: 'a 500 problem',
    response: {
      status: 500,
      contentType: 'application/problem+json',
      body: JSON.stringify({
        type: 'about:blank',
        title: 'Internal server error',
        status: 500,
        code: 'internal',
        request_id: 'test',
      }),
    },
  },
  {
    name: 'malformed JSON',
    response: { status: 200, contentType: 'application/json', body: '{"items": [' },
  },
];

for (const failure of failures) {
  test(`the API keys section falls back on ${failure.name} while the sidebar still works`, async ({
    page,
    signedInUser,
    shell,
    apiKeys,
  }) => {
    await page.route(API_KEYS, (route) => route.fulfill(failure.response));

    await shell.openSettings('API keys');
    await expect(apiKeys.fallbackHeading).toBeVisible();
    await expect(apiKeys.retry).toBeVisible();
    // A failed fetch is an error, never an empty list.
    await expect(apiKeys.emptyState).toBeHidden();
    await expect(apiKeys.table).toBeHidden();

    await shell.dashboardLink.click();
    await expect(shell.welcome(signedInUser.firstName)).toBeVisible();

    await shell.openSettings('API keys');
    await expect(apiKeys.fallbackHeading).toBeVisible();

    await page.unroute(API_KEYS);
    await apiKeys.retry.click();
    await expect(apiKeys.heading).toBeVisible();
    await expect(apiKeys.fallbackHeading).toBeHidden();
    await expect(apiKeys.emptyState).toBeVisible();
    await expect(apiKeys.newKey).toBeVisible();
  });
}
