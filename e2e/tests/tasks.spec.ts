// The tasks page: every open task of the agency grouped by when it is due, "Mine" in the URL, complete
// inline (the API agrees), arrow keys between tasks, and "New task" for any client.
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { test, expect } from '../fixtures/test';
import { isoDay } from '../fixtures/api';

interface Me {
  user: { id: string };
}

test('tasks are grouped by due date, filtered to mine, completed inline and added for a client', async ({
  page,
  signedInUser,
  api,
}) => {
  const tag = randomBytes(3).toString('hex');
  const acme = await api.createClient({ name: `Acme ${tag}` });
  const bolt = await api.createClient({ name: `Bolt ${tag}` });
  const me = await api.get<Me>('/api/v1/auth/me');
  const add = (client: string, title: string, due: string | null, assignee: string | null = null) =>
    api.post<{ id: string }>(`/api/v1/clients/${client}/tasks`, { title, due_date: due, assignee_id: assignee });
  await add(acme.id, 'Send the overdue report', isoDay(-2), me.user.id);
  await add(bolt.id, 'Kick-off call', isoDay(0));
  await add(acme.id, 'Plan next quarter', isoDay(20), me.user.id);
  await add(bolt.id, 'Collect logo files', null);

  await page.goto('/tasks');
  await expect(page.getByRole('heading', { name: 'Tasks', level: 1 })).toBeVisible();
  const group = (name: string) => page.getByRole('region', { name: new RegExp(`^${name}`) });
  await expect(group('Overdue')).toContainText('Send the overdue report');
  await expect(group('Overdue')).toContainText(`Acme ${tag}`);
  await expect(group('Due today')).toContainText('Kick-off call');
  await expect(group('Later')).toContainText('Plan next quarter');
  await expect(group('No due date')).toContainText('Collect logo files');
  await page.screenshot({ path: path.join(__dirname, '..', 'artifacts', 'tasks.png'), animations: 'disabled' });

  // "Mine" keeps the two assigned to me, and the URL says so.
  await page.getByText('Mine', { exact: true }).click();
  await expect(page).toHaveURL(/assignee=me/);
  await expect(page.locator('.agency-task')).toHaveCount(2);

  // Arrow keys move between tasks; Space completes the focused one.
  const first = page.getByRole('checkbox', { name: 'Send the overdue report' });
  await first.focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('checkbox', { name: 'Plan next quarter' })).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(first).toBeFocused();
  await page.keyboard.press('Space');
  await expect(page.getByText('Completed “Send the overdue report”.')).toBeVisible();
  await expect(first).toBeChecked();
  const open = await api.get<{ items: { title: string }[] }>('/api/v1/tasks?assignee=me');
  expect(open.items.map((t) => t.title)).toEqual(['Plan next quarter']);

  // New task for a chosen client.
  await page.getByText('Everyone', { exact: true }).click();
  await page.getByRole('button', { name: 'New task' }).click();
  const dialog = page.getByRole('dialog', { name: 'New task' });
  await dialog.getByRole('button', { name: 'Add task' }).click();
  await expect(dialog.getByText('Choose the client the task is for.')).toBeVisible();
  await dialog.getByLabel('Client').selectOption({ label: `Bolt ${tag}` });
  await dialog.getByLabel('Title').fill('Send the welcome pack');
  await dialog.getByLabel('Due date').fill(isoDay(0));
  await dialog.getByRole('button', { name: 'Add task' }).click();
  await expect(dialog).toBeHidden();
  await expect(group('Due today')).toContainText('Send the welcome pack');
});

test('an empty agency sees an empty state, and a filter that matches nothing offers to clear it', async ({
  page,
  signedInUser,
}) => {
  await page.goto('/tasks');
  await expect(page.getByText('No open tasks')).toBeVisible();
  await page.goto('/tasks?due=overdue');
  await expect(page.getByText('No tasks match these filters')).toBeVisible();
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page).toHaveURL(/\/tasks$/);
  await expect(page.getByText('No open tasks')).toBeVisible();
});
