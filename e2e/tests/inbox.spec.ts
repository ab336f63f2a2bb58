// The communications hub end to end against the provider fakes: a message injected into the fake Gmail
// mailbox appears in the open inbox without a reload after the next sync; a reply (double-clicked) sends
// exactly one message, in the right thread with the threading headers, and shows as sent after a reload;
// the same for a Slack thread; and with the fake failing the send, the reply shows failed with Retry, and
// Retry sends it once.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from '../fixtures/test';
import type { Api } from '../fixtures/api';

// Fault injection on the shared fakes must not hit a neighbour's send: these tests run one at a time.
test.describe.configure({ mode: 'serial' });

const ARTIFACTS = path.join(__dirname, '..', 'artifacts');
const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true, animations: 'disabled' });

const fakes = `http://127.0.0.1:${Number(process.env.AOS_E2E_PORT ?? 18080) + 1}`;
const INBOX = '/inbox';

interface Integration {
  id: string;
  provider: string;
  status: string;
  last_sync_at: string | null;
}

interface SentMail {
  id: string;
  thread_id: string;
  requested_thread_id: string | null;
  headers: [string, string][];
  body: string;
}

interface GmailMessage {
  id: string;
  thread_id: string;
  headers: [string, string][];
}

interface SlackPost {
  channel: string;
  text: string;
  thread_ts: string | null;
  ts: string;
}

const header = (headers: [string, string][], name: string): string | undefined =>
  headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

/** Connect a provider through the fake consent page and wait for its first sync to end. */
async function connect(page: Page, api: Api, provider: 'Gmail' | 'Slack'): Promise<Integration> {
  await page.goto('/integrations');
  const card = page.getByRole('article', { name: provider });
  await card.getByRole('button', { name: `Connect ${provider}` }).click();
  await expect(page.getByRole('heading', { name: /AudienceOS wants to access your/ })).toBeVisible();
  await page.getByRole('button', { name: 'Allow' }).click();
  await expect(page).toHaveURL(/\/integrations$/);
  await expect(card.getByText('Status: Connected')).toBeVisible({ timeout: 30_000 });
  const all = await api.get<Integration[]>('/api/v1/integrations');
  const found = all.find((i) => i.provider === provider.toLowerCase());
  if (!found) throw new Error(`no ${provider} integration`);
  return found;
}

/** Ask for a sync (as "Sync now" does) and wait for it to finish. */
async function syncAndWait(api: Api, integration: Integration): Promise<void> {
  const before = (await api.get<Integration[]>('/api/v1/integrations')).find((i) => i.id === integration.id)?.last_sync_at;
  await api.post(`/api/v1/integrations/${integration.id}/sync`, {}, [202]);
  await expect
    .poll(async () => (await api.get<Integration[]>('/api/v1/integrations')).find((i) => i.id === integration.id)?.last_sync_at, {
      timeout: 30_000,
    })
    .not.toBe(before);
}

async function fake<T>(page: Page, path: string): Promise<T> {
  const res = await page.request.get(`${fakes}${path}`);
  expect(res.status()).toBe(200);
  return (await res.json()) as T;
}

test('Gmail: a new message appears live, a double-clicked reply goes out once in its thread, and shows sent after reload', async ({ page, signedInUser, api }) => {
  const tag = randomBytes(3).toString('hex');
  await api.createClient({ name: `Acme Dental ${tag}`, contact_email: 'dana@acme-dental.test' });
  const gmail = await connect(page, api, 'Gmail');

  await page.goto(INBOX);
  const threads = page.getByRole('list', { name: 'Threads' });
  await expect(threads).toBeVisible();

  // A new message lands in the mailbox; the next sync brings it into the open inbox, no reload.
  const subject = `Launch checklist ${tag}`;
  const injected = await (
    await page.request.post(`${fakes}/_fake/google/messages`, {
      data: { from: 'Dana Reed <dana@acme-dental.test>', subject, body: `Can you confirm the launch date? ${tag}` },
    })
  ).json();
  await syncAndWait(api, gmail);
  await expect(threads.getByText(subject)).toBeVisible({ timeout: 20_000 });

  await threads.getByText(subject).click();
  const view = page.getByRole('region', { name: 'Thread', exact: true });
  await expect(view.getByText(`Can you confirm the launch date? ${tag}`)).toBeVisible();
  const text = `Confirmed for Monday ${tag}`;
  await view.getByLabel('Reply').fill(text);
  await view.getByRole('button', { name: 'Send reply' }).dblclick();
  await expect(view.getByText(text)).toBeVisible();
  await expect(view.getByText('Sent', { exact: true }).first()).toBeVisible();

  // Exactly one message reached the fake, in the injected message's thread, with the threading headers.
  const sent = (await fake<SentMail[]>(page, '/_fake/google/sent')).filter((m) => m.body.includes(text));
  expect(sent).toHaveLength(1);
  const parent = (await fake<GmailMessage[]>(page, '/_fake/google/messages')).find((m) => m.id === injected.id);
  expect(parent).toBeTruthy();
  expect(sent[0].requested_thread_id).toBe(injected.threadId);
  expect(sent[0].thread_id).toBe(injected.threadId);
  expect(header(sent[0].headers, 'In-Reply-To')).toBe(header(parent!.headers, 'Message-ID'));
  expect(header(sent[0].headers, 'References')).toContain(header(parent!.headers, 'Message-ID')!);
  expect(header(sent[0].headers, 'Subject')).toBe(`Re: ${subject}`);
  expect(header(sent[0].headers, 'To')).toContain('dana@acme-dental.test');
  await shot(page, 'inbox');

  await page.reload();
  const again = page.getByRole('region', { name: 'Thread', exact: true });
  await expect(again.getByRole('list', { name: 'Conversation' }).getByText(text)).toBeVisible();
  await expect(again.getByText('Sent', { exact: true }).first()).toBeVisible();
  expect(signedInUser.firstName).toBeTruthy();
});

test('Slack: a reply posts once in the channel thread and shows sent after reload', async ({ page, signedInUser, api }) => {
  const tag = randomBytes(3).toString('hex');
  const client = await api.createClient({ name: `Acme Dental ${tag}`, contact_email: 'dana@acme-dental.test' });
  const slack = await connect(page, api, 'Slack');
  await api.put(`/api/v1/integrations/${slack.id}/links/C0FAKE0001`, { client_id: client.id, name: '#acme-dental' });
  const question = `Could we add a retargeting campaign? ${tag}`;
  const seeded = await (
    await page.request.post(`${fakes}/_fake/slack/messages`, {
      data: { channel: 'C0FAKE0001', user: 'U0DANA0001', text: question, ts: '', thread_ts: null },
    })
  ).json();
  await syncAndWait(api, slack);

  await page.goto(`${INBOX}?platform=slack`);
  const threads = page.getByRole('list', { name: 'Threads' });
  await threads.getByText(question).click();
  const view = page.getByRole('region', { name: 'Thread', exact: true });
  const text = `Yes, drafting it today ${tag}`;
  await view.getByLabel('Reply').fill(text);
  await view.getByRole('button', { name: 'Send reply' }).dblclick();
  await expect(view.getByText('Sent', { exact: true }).first()).toBeVisible();

  const posts = (await fake<SlackPost[]>(page, '/_fake/slack/posts')).filter((p) => p.text === text);
  expect(posts).toHaveLength(1);
  expect(posts[0].channel).toBe('C0FAKE0001');
  expect(posts[0].thread_ts).toBe(seeded.ts);

  await page.reload();
  await expect(page.getByRole('region', { name: 'Thread', exact: true }).getByRole('list', { name: 'Conversation' }).getByText(text)).toBeVisible();
  expect(signedInUser.firstName).toBeTruthy();
});

test('A failed send shows Failed with Retry, and Retry sends the reply once', async ({ page, signedInUser, api }) => {
  const tag = randomBytes(3).toString('hex');
  await api.createClient({ name: `Acme Dental ${tag}`, contact_email: 'dana@acme-dental.test' });
  const gmail = await connect(page, api, 'Gmail');
  const subject = `Budget question ${tag}`;
  await page.request.post(`${fakes}/_fake/google/messages`, {
    data: { from: 'Dana Reed <dana@acme-dental.test>', subject, body: `What is the May budget? ${tag}` },
  });
  await syncAndWait(api, gmail);

  await page.goto(INBOX);
  await page.getByRole('list', { name: 'Threads' }).getByText(subject).click();
  const view = page.getByRole('region', { name: 'Thread', exact: true });
  await expect(view.getByText(`What is the May budget? ${tag}`)).toBeVisible();

  const fault = await page.request.post(`${fakes}/_fake/faults`, {
    data: { provider: 'google', path_prefix: '/gmail/v1/users/me/messages/send', status: 500, count: 1 },
  });
  expect(fault.status()).toBe(204);
  const text = `Five thousand ${tag}`;
  await view.getByLabel('Reply').fill(text);
  await view.getByRole('button', { name: 'Send reply' }).click();
  await expect(view.getByText('Failed', { exact: false }).first()).toBeVisible();
  await expect(view.getByText(/Gmail is unavailable/)).toBeVisible();
  const mine = async () => (await fake<SentMail[]>(page, '/_fake/google/sent')).filter((m) => m.body.includes(text)).length;
  expect(await mine()).toBe(0);
  await shot(page, 'inbox-reply-failed');

  await view.getByRole('button', { name: 'Retry' }).click();
  await expect(view.getByText('Sent', { exact: true }).first()).toBeVisible();
  expect(await mine()).toBe(1);
  await page.reload();
  await expect(page.getByRole('region', { name: 'Thread', exact: true }).getByRole('list', { name: 'Conversation' }).getByText(text)).toBeVisible();
  expect(await mine()).toBe(1);
  expect(signedInUser.firstName).toBeTruthy();
});
