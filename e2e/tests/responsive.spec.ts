// The app at phone width (390x844): every main page fits the screen (no horizontal scroll of the page;
// wide tables and kanban boards scroll inside their own box), the navigation sits behind a menu button
// that opens, closes with Escape and closes on navigation, and an unknown path shows the 404 page inside
// the app shell. A screenshot of each page goes to e2e/artifacts/phone-*.png.
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { test, expect } from '../fixtures/test';
import { newUser, signUpViaApi } from '../fixtures/users';
import { Api, isoDay } from '../fixtures/api';

const ARTIFACTS = path.join(__dirname, '..', 'artifacts');

test.use({ viewport: { width: 390, height: 844 } });

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `phone-${name}.png`), fullPage: true, animations: 'disabled' });
}

/** The page is no wider than the screen; on failure, names the elements that stick out. */
async function expectNoHorizontalScroll(page: Page, what: string): Promise<void> {
  const { scrollWidth, innerWidth, culprits } = await page.evaluate(() => {
    const width = window.innerWidth;
    const wide = [...document.querySelectorAll<HTMLElement>('body *')].filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > width + 1;
    });
    const outside = wide.filter((el) => {
        // Inside a box that scrolls (or clips) sideways, it does not widen the page.
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
          if (getComputedStyle(up).overflowX !== 'visible' && up.getBoundingClientRect().right <= width + 1) return false;
        }
        return true;
      });
    const culprits = (outside.length > 0 ? outside : wide)
      .slice(0, 8)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} (right ${Math.round(el.getBoundingClientRect().right)})`);
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: width, culprits };
  });
  // A drawer scrolls up and down only: nothing in it is cut off at the side.
  for (const drawer of await page.locator('.drawer-body').all()) {
    const { scroll, client } = await drawer.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(scroll, `a drawer of ${what} is wider than the screen`).toBeLessThanOrEqual(client);
  }
  expect(scrollWidth, `${what} is ${scrollWidth}px wide on a ${innerWidth}px screen; sticking out: ${culprits.join(', ')}`).toBeLessThanOrEqual(
    innerWidth,
  );
}

/** Waits until the page's heading is shown and nothing is loading any more. */
async function settle(page: Page, heading: Locator): Promise<void> {
  await expect(heading).toBeVisible();
  await expect(page.locator('main .spinner:visible, main .loading-block, main [aria-busy="true"]')).toHaveCount(0);
}

test('every page fits a phone screen, with the navigation behind a menu button', async ({ page }) => {
  test.slow();
  const user = newUser();
  await signUpViaApi(page.request, user);

  // A few clients, one onboarding per stage and an API key, so lists, boards and tables have rows.
  const api = Api.of(page);
  const stages = await api.stages();
  const names = ['Acme Outdoor Co.', 'Birch & Pine Coffee', 'Cobalt Fitness Studios International', 'Driftwood Surf Shop'];
  const clients = [];
  for (const [i, name] of names.entries()) {
    clients.push(
      await api.createClient({
        name,
        stage_id: stages[i % stages.length].id,
        contact_email: `owner${i}@${name.toLowerCase().replace(/[^a-z]+/g, '')}.example`,
        website: i === 0 ? 'acmeoutdoor.example' : undefined,
        due_date: isoDay(i - 1),
      }),
    );
  }
  await api.post(`/api/v1/clients/${clients[0].id}/notes`, { body: 'Kick-off call went well; pixel install booked for Thursday.' });
  await api.post(`/api/v1/clients/${clients[0].id}/tasks`, { title: 'Install the Meta pixel', due_date: isoDay(2) });
  const onboardings: string[] = [];
  for (const c of clients.slice(0, 3)) {
    const started = await api.post<{ instance: { id: string } }>('/api/v1/onboarding/instances', { client_id: c.id, send_email: false });
    onboardings.push(started.instance.id);
  }
  await api.post('/api/v1/api-keys', { name: 'Looker Studio export with a long name', role: 'member', expires_in_days: 90 });

  await page.goto('/');
  await settle(page, page.getByRole('heading', { name: `Welcome, ${user.firstName}` }));

  // The navigation is behind the menu button: closed, it is not shown.
  const menu = page.getByRole('button', { name: 'Menu', exact: true });
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  const controlled = page.locator(`#${await menu.getAttribute('aria-controls')}`);
  await expect(controlled).toHaveAttribute('aria-label', 'Main');
  await expect(controlled).toBeHidden();

  // Opening moves focus into it; every entry is on screen; Escape closes it and focus returns.
  await menu.click();
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(nav).toBeVisible();
  await expect(nav.getByRole('link').first()).toBeFocused();
  for (const link of await nav.getByRole('link').all()) {
    await expect(link).toBeInViewport();
  }
  await expectNoHorizontalScroll(page, 'the dashboard with the menu open');
  await shot(page, 'menu-open');
  await page.keyboard.press('Escape');
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(nav).toBeHidden();
  await expect(menu).toBeFocused();

  // The keyboard opens it too; a click outside closes it.
  await page.keyboard.press('Enter');
  await expect(nav).toBeVisible();
  await page.mouse.click(370, 600);
  await expect(nav).toBeHidden();

  // Following a link closes it and lands on the page.
  await menu.click();
  await nav.getByRole('link', { name: 'Clients' }).click();
  await expect(page).toHaveURL(/\/clients$/);
  await expect(nav).toBeHidden();
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(page.getByRole('heading', { name: 'Clients', exact: true })).toBeVisible();

  // Every entry of the navigation, whatever it holds by now (Tasks, Alerts...), gets visited below.
  await menu.click();
  const navPaths = await nav.getByRole('link').evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
  await page.keyboard.press('Escape');

  const heading = (name: string | RegExp) => page.getByRole('heading', { name, exact: typeof name === 'string' }).first();
  const pages: { name: string; path: string; heading: Locator }[] = [
    { name: 'dashboard', path: '/', heading: heading(`Welcome, ${user.firstName}`) },
    { name: 'pipeline', path: '/pipeline', heading: page.getByRole('region', { name: stages[0].name, exact: true }) },
    { name: 'clients', path: '/clients', heading: page.getByRole('table', { name: 'Clients' }).getByRole('rowheader').first() },
    {
      name: 'client-detail',
      path: `/clients?client=${clients[0].id}`,
      heading: page.getByRole('complementary', { name: 'Client details' }).getByRole('heading', { name: names[0], exact: true }),
    },
    { name: 'inbox', path: '/inbox', heading: heading('Inbox') },
    { name: 'onboarding', path: '/onboarding', heading: page.getByRole('button', { name: new RegExp(`^${names[0]}`) }) },
    {
      name: 'onboarding-detail',
      path: `/onboarding?onboarding=${onboardings[0]}`,
      heading: page.getByRole('complementary', { name: 'Onboarding details' }).getByRole('heading', { name: 'Stages' }),
    },
    { name: 'onboarding-journeys', path: '/onboarding/journeys', heading: page.getByRole('button', { name: 'Save journey' }) },
    { name: 'onboarding-form', path: '/onboarding/form', heading: heading('Onboarding') },
    { name: 'integrations', path: '/integrations', heading: heading('Integrations') },
    { name: 'settings-account', path: '/settings/account', heading: page.getByRole('button', { name: 'Change password' }) },
    { name: 'settings-api-keys', path: '/settings/api-keys', heading: heading('API keys') },
    { name: 'settings-audit-log', path: '/settings/audit-log', heading: page.getByRole('row').nth(1) },
    { name: 'settings-pipeline', path: '/settings/pipeline', heading: heading('Settings') },
    { name: 'settings-onboarding', path: '/settings/onboarding', heading: heading('Settings') },
  ];
  for (const extra of navPaths.filter((p) => !pages.some((known) => known.path === p || (p === '/settings/account' && known.path === p)))) {
    pages.push({ name: extra.replace(/^\//, '').replace(/\//g, '-') || 'home', path: extra, heading: page.locator('main h1').first() });
  }
  pages.push({ name: 'not-found', path: '/this-page-does-not-exist', heading: heading('Page not found') });

  for (const p of pages) {
    await test.step(p.name, async () => {
      await page.goto(p.path);
      await settle(page, p.heading);
      await expectNoHorizontalScroll(page, p.path);
      await shot(page, p.name);
    });
  }

  // The 404 page keeps the app shell for a signed-in user: the menu, and through it the way back.
  await expect(menu).toBeVisible();
  await menu.click();
  await nav.getByRole('link', { name: 'Dashboard' }).click();
  await expect(heading(`Welcome, ${user.firstName}`)).toBeVisible();

  // A dialog fits the screen too.
  await page.goto('/clients');
  await page.getByRole('button', { name: 'New client' }).first().click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toBeInViewport({ ratio: 1 });
  await expectNoHorizontalScroll(page, 'the "New client" dialog');
  await shot(page, 'new-client-dialog');
});

test('signed out, the 404 page stands on its own', async ({ page }) => {
  await page.goto('/this-page-does-not-exist');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Menu', exact: true })).toHaveCount(0);
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  await expectNoHorizontalScroll(page, 'the signed-out 404 page');
});
