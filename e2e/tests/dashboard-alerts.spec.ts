// Dashboard alerts: escalate and snooze are saved (still there after a reload; a snoozed alert leaves
// the feed), and a snoozed alert comes back once its time has passed; and the "Needs attention or at
// risk" card opens the client list filtered on both health values, listing exactly the card's number.
// The server's clock and alert rules are driven through the test hooks (AOS_TEST_HOOKS=1 in
// scripts/e2e-server); the clock is the server's, so these tests run one at a time.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { test, expect } from '../fixtures/test';
import { isoDay } from '../fixtures/api';

test.describe.configure({ mode: 'serial' });

const DAY = 24 * 60 * 60;

test('escalate and snooze persist across a reload, and a snoozed alert comes back after its time', async ({
  page,
  signedInUser,
  api,
  firehose,
}) => {
  const tag = randomBytes(3).toString('hex');
  const escalated = await api.createClient({ name: `Escalate Co ${tag}` });
  const snoozed = await api.createClient({ name: `Snooze Co ${tag}` });

  // A month later, both clients are stale: the rules raise alerts for them.
  await api.setClock(30 * DAY);
  try {
    await api.runAlertRules();
    const [first] = await api.alertsOf(escalated.id);
    const [second] = await api.alertsOf(snoozed.id);
    expect(first, 'an alert for the first client').toBeTruthy();
    expect(second, 'an alert for the second client').toBeTruthy();
    // Back to real time, so the browser's "in 1 hour" is in the server's future too.
    await api.setClock(0);

    await page.goto('/');
    const fullName = `${signedInUser.firstName} ${signedInUser.lastName}`;

    // Escalate the first.
    const item = firehose.alert(first.title, escalated.name);
    await expect(item).toBeVisible();
    await item.getByRole('button', { name: 'Escalate' }).click();
    const dialog = page.getByRole('dialog', { name: /^Escalate/ });
    await dialog.getByRole('radio', { name: new RegExp(fullName) }).check();
    await dialog.getByLabel('Note').fill('Please call them today.');
    await dialog.getByRole('button', { name: 'Escalate' }).click();
    await expect(dialog).toBeHidden();
    await expect(item).toContainText(`Escalated to ${fullName}`);

    // Snooze the second for an hour.
    const other = firehose.alert(second.title, snoozed.name);
    await other.getByRole('button', { name: 'Snooze' }).click();
    await page.getByRole('menuitem', { name: '1 hour' }).click();
    await expect(other).toContainText('Snoozed until');

    // After a reload the escalation is still there, and the snoozed alert is out of the feed until its time.
    await page.reload();
    await expect(firehose.alert(first.title, escalated.name)).toContainText(`Escalated to ${fullName}`);
    await expect(firehose.alert(second.title, snoozed.name)).toHaveCount(0);
    expect((await api.alert(first.id)).status).toBe('escalated');
    expect((await api.alert(second.id)).status).toBe('snoozed');

    // Two hours later the snooze is over: the alert is active again.
    await api.setClock(2 * 60 * 60);
    await page.reload();
    const back = firehose.alert(second.title, snoozed.name);
    await expect(back).toContainText('Active');
    await expect(back.getByRole('button', { name: 'Snooze' })).toBeVisible();
    expect((await api.alert(second.id)).status).toBe('active');
  } finally {
    await api.setClock(0);
  }
});

test('the at-risk card lists exactly the clients it counts', async ({ page, signedInUser, api, clients }) => {
  const tag = randomBytes(3).toString('hex');
  await api.createClient({ name: `Stale One ${tag}` });
  await api.createClient({ name: `Stale Two ${tag}` });
  // Ten days later the first two have waited past the yellow threshold; a new one is fresh.
  await api.setClock(10 * DAY);
  try {
    await api.createClient({ name: `Fresh ${tag}` });
    await api.runAlertRules();
  } finally {
    await api.setClock(0);
  }

  await page.goto('/');
  const card = page.getByRole('link', { name: /Needs attention or at risk/ });
  await expect(card.locator('.kpi-value')).toHaveText('2');
  await page.screenshot({ path: path.join(__dirname, '..', 'artifacts', 'dashboard-cards.png'), animations: 'disabled' });
  await card.click();
  await expect(page).toHaveURL(/\/clients\?health=red(,|%2C)yellow/);
  await expect(clients.filter('Health')).toHaveValue('red,yellow');
  await expect(clients.table.getByRole('rowheader')).toHaveCount(2);
  expect((await clients.rowNames()).sort()).toEqual([`Stale One ${tag}`, `Stale Two ${tag}`]);
});

test('every count card lists exactly what it counts, and an alert link opens that alert', async ({
  page,
  signedInUser,
  api,
}) => {
  const tag = randomBytes(3).toString('hex');
  const [first] = await api.stages();
  const stale = await api.createClient({ name: `Card Stale ${tag}` });
  const later = await api.stages().then((s) => s[1]);
  const moved = await api.createClient({ name: `Card Moved ${tag}`, stage_id: later.id });
  await api.createClient({ name: `Card Fresh ${tag}` });
  const add = (client: string, title: string, due: string | null) =>
    api.post(`/api/v1/clients/${client}/tasks`, { title, due_date: due });
  await add(stale.id, 'Overdue thing', isoDay(-1));
  await add(moved.id, 'Soon thing', isoDay(2));
  await add(moved.id, 'Undated thing', null);
  await api.setClock(10 * DAY);
  try {
    await api.runAlertRules();
  } finally {
    await api.setClock(0);
  }
  const alerts = await api.alertsOf(stale.id);
  expect(alerts.length, 'the stale client has alerts').toBeGreaterThan(0);

  const rows: Record<string, () => ReturnType<typeof page.locator>> = {
    '/clients': () => page.getByRole('table').getByRole('rowheader'),
    '/tasks': () => page.locator('.agency-task'),
    '/alerts': () => page.locator('.alert-list > li'),
  };
  for (const label of ['Active clients', 'Needs attention or at risk', 'Onboarding', 'Open tasks', 'Overdue tasks', 'Open alerts']) {
    await page.goto('/');
    const card = page.locator(".kpi-card").filter({ has: page.locator(".kpi-label", { hasText: new RegExp(`^${label}$`) }) });
    const value = Number(await card.locator('.kpi-value').innerText());
    const href = (await card.getAttribute('href')) ?? '';
    await card.click();
    await expect(page).toHaveURL(new RegExp(`${href.split('?')[0]}(\\?|$)`));
    const list = rows[href.split('?')[0]];
    expect(list, `${label} links to ${href}`).toBeTruthy();
    if (value === 0) {
      await expect(page.locator('.empty-state')).toBeVisible();
    } else {
      await expect(list()).toHaveCount(value);
    }
  }
  expect(new URL(page.url()).pathname).toBe('/alerts');

  // The escalation email's link: the alert opens in a drawer, with its actions.
  const alert = alerts[0];
  await page.goto(`/alerts?alert=${alert.id}`);
  const drawer = page.getByRole('complementary', { name: 'Alert details' });
  await expect(drawer.getByRole('heading', { name: alert.title })).toBeVisible();
  await expect(drawer.getByRole('button', { name: 'Resolve' })).toBeVisible();
  await page.screenshot({ path: path.join(__dirname, '..', 'artifacts', 'alert-deep-link.png'), animations: 'disabled' });
  await drawer.getByRole('button', { name: 'Resolve' }).click();
  await expect(drawer).toContainText('Resolved');
  expect((await api.alert(alert.id)).status).toBe('resolved');
  await drawer.getByRole('button', { name: 'Close alert details' }).click();
  await expect(page).toHaveURL(/\/alerts$/);
});
