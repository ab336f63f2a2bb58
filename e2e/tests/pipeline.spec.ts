// The pipeline board: drag and drop and the keyboard chord move a card for good (after a reload), and
// a move based on a stale board gets the conflict toast while the newer stage wins.
import { randomBytes } from 'node:crypto';
import { test, expect } from '../fixtures/test';
import { Api } from '../fixtures/api';
import { PipelinePage } from '../fixtures/pages';

const unique = (prefix: string) => `${prefix} ${randomBytes(3).toString('hex')}`;

// `signedInUser` signs the browser in; most tests only need its session.
test('a card dragged to another stage stays there after a reload', async ({ page, signedInUser, api, pipeline }) => {
  const onboarding = await api.stage('Onboarding');
  const name = unique('Dragged Co');
  await api.createClient({ name, stage_id: onboarding.id });

  await pipeline.goto();
  const card = pipeline.card(name);
  await expect(pipeline.column('Onboarding').getByRole('button', { name: new RegExp(name) })).toBeVisible();

  const moved = page.waitForResponse((r) => r.url().includes('/stage') && r.request().method() === 'POST');
  await card.dragTo(pipeline.column('Audit'));
  expect((await moved).status()).toBe(200);
  await expect(pipeline.column('Audit').getByRole('button', { name: new RegExp(name) })).toBeVisible();

  await page.reload();
  await expect(pipeline.column('Audit').getByRole('button', { name: new RegExp(name) })).toBeVisible();
  await expect(pipeline.column('Onboarding').getByRole('button', { name: new RegExp(name) })).toHaveCount(0);
});

test('the sidebar leads to the pipeline and the client list', async ({ page, signedInUser, shell, pipeline, clients }) => {
  await shell.pipelineLink.click();
  await expect(pipeline.heading).toBeVisible();
  await expect(shell.pipelineLink).toHaveAttribute('aria-current', 'page');
  for (const stage of ['Onboarding', 'Installation', 'Audit', 'Live', 'Needs Support', 'Off-boarding']) {
    await expect(pipeline.column(stage)).toBeVisible();
  }
  await shell.clientsLink.click();
  await expect(clients.heading).toBeVisible();
  await expect(page.getByText('No clients yet')).toBeVisible();
  expect(signedInUser.firstName).toBeTruthy();
});

test('Alt+ArrowRight moves the focused card one stage and it stays there after a reload', async ({
  page,
  signedInUser,
  api,
  pipeline,
}) => {
  const onboarding = await api.stage('Onboarding');
  const name = unique('Keyboard Co');
  await api.createClient({ name, stage_id: onboarding.id });

  await pipeline.goto();
  await expect(page.getByText('to move it one stage')).toBeVisible();
  const card = pipeline.column('Onboarding').getByRole('button', { name: new RegExp(name) });
  await card.focus();
  const moved = page.waitForResponse((r) => r.url().includes('/stage') && r.request().method() === 'POST');
  await page.keyboard.press('Alt+ArrowRight');
  expect((await moved).status()).toBe(200);

  const inInstallation = pipeline.column('Installation').getByRole('button', { name: new RegExp(name) });
  await expect(inInstallation).toBeVisible();
  // Focus follows the card, so the chord can be pressed again.
  await expect(inInstallation).toBeFocused();

  await page.reload();
  await expect(pipeline.column('Installation').getByRole('button', { name: new RegExp(name) })).toBeVisible();
});

test('a stale move from a second browser shows the conflict toast and the newer stage wins', async ({
  page,
  browser,
  baseURL,
  signedInUser,
  api,
  pipeline,
}) => {
  const onboarding = await api.stage('Onboarding');
  const name = unique('Contested Co');
  await api.createClient({ name, stage_id: onboarding.id });

  // This browser loads the board and sees the client in Onboarding.
  await pipeline.goto();
  await expect(pipeline.column('Onboarding').getByRole('button', { name: new RegExp(name) })).toBeVisible();

  // A second browser, same user, moves it to Live first.
  const other = await browser.newContext({ baseURL });
  const login = await other.request.post('/api/v1/auth/login', {
    data: { email: signedInUser.email, password: signedInUser.password },
  });
  expect(login.status(), await login.text()).toBe(200);
  const otherPage = await other.newPage();
  const otherBoard = new PipelinePage(otherPage);
  await otherBoard.goto();
  const otherCard = otherBoard.column('Onboarding').getByRole('button', { name: new RegExp(name) });
  await otherCard.dragTo(otherBoard.column('Live'));
  await expect(otherBoard.column('Live').getByRole('button', { name: new RegExp(name) })).toBeVisible();
  const live = await Api.of(otherPage).stage('Live');
  await expect.poll(async () => (await api.get<{ items: { name: string; stage_id: string }[] }>(`/api/v1/clients?q=${encodeURIComponent(name)}`)).items[0]?.stage_id).toBe(live.id);
  await other.close();

  // This browser still shows Onboarding and moves it to Audit: the server refuses the stale move.
  const refused = page.waitForResponse((r) => r.url().includes('/stage') && r.request().method() === 'POST');
  await pipeline.column('Onboarding').getByRole('button', { name: new RegExp(name) }).dragTo(pipeline.column('Audit'));
  expect((await refused).status()).toBe(409);
  await expect(page.getByRole('status').filter({ hasText: 'Someone else moved' })).toBeVisible();
  await expect(pipeline.column('Live').getByRole('button', { name: new RegExp(name) })).toBeVisible();
  await expect(pipeline.column('Audit').getByRole('button', { name: new RegExp(name) })).toHaveCount(0);

  await page.reload();
  await expect(pipeline.column('Live').getByRole('button', { name: new RegExp(name) })).toBeVisible();
});
