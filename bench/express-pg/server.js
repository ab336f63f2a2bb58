// The baseline of scripts/bench-clients: GET /api/v1/clients as an express + pg server would serve it,
// with the statements the Rust API runs for the same request (read cache off), in the same order, each a
// named prepared statement on a pool of the same size, and the same JSON built from the rows:
//   1. the API key by its HMAC-SHA256 digest, with the agency's data version
//   2. the key's role permissions
//   3. one page of clients (filters, keyset order, limit + 1)
//   4-6. the page's collaborators, labels and open/overdue task counts (ids as one uuid[])
// Only what the benchmark asks for is implemented: `health=` (comma list) with `sort=days_in_stage`, and
// `q=` with `sort=name&dir=asc`; `limit` up to 200.
// Usage: DATABASE_URL=postgres://... SESSION_SECRET=<base64> PORT=18183 POOL=8 node server.js
"use strict";
const crypto = require("crypto");
const express = require("express");
const { Pool, types } = require("pg");

// Dates stay strings (`due_date`, `install_date` are calendar dates), as the Rust API answers them.
types.setTypeParser(1082, (v) => v);

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL || 8) });
const secret = Buffer.from(process.env.SESSION_SECRET || "", "base64");

const CLIENT_COLUMNS =
  "c.id, c.agency_id, c.name, c.contact_name, c.contact_email, c.website, c.stage_id, s.name as stage_name, " +
  "s.position as stage_position, c.stage_entered_at, c.health, c.health_reasons, c.install_date, " +
  "c.total_spend_cents, c.lifetime_value_cents, c.due_date, c.owner_id, o.first_name as owner_first_name, " +
  "o.last_name as owner_last_name, c.archived_at, c.last_activity_at, c.created_at, c.updated_at";
const CLIENT_FROM =
  "from client c join pipeline_stage s on s.id = c.stage_id left join app_user o on o.id = c.owner_id";

const KEY_SQL =
  "select k.id, k.agency_id, k.created_by, k.role_id, k.last_used_at, a.data_version " +
  "from api_key k join app_user u on u.id = k.created_by join agency a on a.id = k.agency_id " +
  "where k.key_hash = $1 and k.revoked_at is null and k.expires_at > $2 and u.is_active = true";
const ROLE_SQL =
  "select resource, action from role_permission where agency_id = $1 and role_id = $2 order by resource";
const COLLAB_SQL =
  "select cc.client_id, u.id as user_id, u.first_name, u.last_name from client_collaborator cc " +
  "join app_user u on u.id = cc.user_id where cc.agency_id = $1 and cc.client_id = any($2) order by u.first_name, u.last_name";
const LABEL_SQL =
  "select cl.client_id, l.id, l.name, l.color from client_label cl join label l on l.id = cl.label_id " +
  "where cl.agency_id = $1 and cl.client_id = any($2) order by l.name";
const TASK_SQL =
  "select t.client_id, count(*) as open_tasks, " +
  "sum(case when t.due_date is not null and t.due_date < $3 then 1 else 0 end) as overdue_tasks " +
  "from task t where t.agency_id = $1 and t.done_at is null and t.client_id = any($2) group by t.client_id";

class Problem extends Error {
  constructor(status, code) {
    super(code);
    this.status = status;
    this.code = code;
  }
}

function pageSql(q, health, limit) {
  const where = ["c.agency_id = $1", "c.archived_at is null"];
  const values = [];
  let order;
  if (q !== undefined) {
    values.push("%" + q.toLowerCase().replace(/[\\%_]/g, (m) => "\\" + m) + "%");
    where.push(`c.search_text like $2 escape '\\'`);
    order = "c.name_sort asc, c.id asc";
  } else {
    health.forEach((h, i) => values.push(h));
    where.push(`c.health in (${health.map((_, i) => "$" + (i + 2)).join(", ")})`);
    order = "c.stage_entered_at asc, c.id asc";
  }
  const text =
    `select ${CLIENT_COLUMNS}, c.name_sort as list_name_sort, o.email as list_owner_email ${CLIENT_FROM} ` +
    `where ${where.join(" and ")} order by ${order} limit ${limit + 1}`;
  return { name: "page_" + crypto.createHash("sha1").update(text).digest("hex").slice(0, 12), text, values };
}

const DAY = 86400000;
const money = (cents) => {
  const n = BigInt(cents);
  const sign = n < 0n ? "-" : "";
  const a = n < 0n ? -n : n;
  return `${sign}${a / 100n}.${String(a % 100n).padStart(2, "0")}`;
};

async function listClients(req) {
  const auth = req.get("authorization") || "";
  if (!auth.startsWith("Bearer ")) throw new Problem(401, "unauthenticated");
  const hmac = crypto.createHmac("sha256", secret);
  hmac.update("api_key");
  hmac.update("\0");
  hmac.update(auth.slice(7));
  const keyHash = hmac.digest("hex");
  const now = new Date();
  const limit = Math.min(Math.max(Number(req.query.limit || 50), 1), 200);
  const health = String(req.query.health || "red,yellow,green").split(",");
  const client = await pool.connect();
  try {
    const key = (await client.query({ name: "key", text: KEY_SQL, values: [keyHash, now] })).rows[0];
    if (!key) throw new Problem(401, "unauthenticated");
    const perms = (await client.query({ name: "role", text: ROLE_SQL, values: [key.agency_id, key.role_id] })).rows;
    // Any action on clients grants reading them (manage implies write implies read).
    if (!perms.some((p) => p.resource === "clients")) throw new Problem(403, "forbidden");
    const page = pageSql(req.query.q, health, limit);
    page.values.unshift(key.agency_id);
    let rows = (await client.query(page)).rows;
    let next_cursor = null;
    if (rows.length > limit) {
      rows = rows.slice(0, limit);
      const last = rows[rows.length - 1];
      const sortKey = req.query.q !== undefined ? last.list_name_sort : last.stage_entered_at.toISOString();
      next_cursor = Buffer.from(JSON.stringify({ k: sortKey, id: last.id })).toString("base64url");
    }
    const ids = rows.map((r) => r.id);
    const today = now.toISOString().slice(0, 10);
    const collaborators = (await client.query({ name: "collab", text: COLLAB_SQL, values: [key.agency_id, ids] })).rows;
    const labels = (await client.query({ name: "label", text: LABEL_SQL, values: [key.agency_id, ids] })).rows;
    const counts = (await client.query({ name: "task", text: TASK_SQL, values: [key.agency_id, ids, today] })).rows;
    const items = rows.map((r) => {
      const c = counts.find((t) => t.client_id === r.id);
      return {
        id: r.id,
        name: r.name,
        contact_name: r.contact_name,
        contact_email: r.contact_email,
        website: r.website,
        stage_id: r.stage_id,
        stage: r.stage_name,
        stage_entered_at: r.stage_entered_at,
        days_in_stage: Math.max(0, Math.floor((now - r.stage_entered_at) / DAY)),
        health: r.health,
        health_reasons: r.health_reasons,
        install_date: r.install_date,
        total_spend: money(r.total_spend_cents),
        lifetime_value: money(r.lifetime_value_cents),
        due_date: r.due_date,
        archived_at: r.archived_at,
        owner: r.owner_id ? { id: r.owner_id, name: `${r.owner_first_name} ${r.owner_last_name}` } : null,
        collaborators: collaborators
          .filter((x) => x.client_id === r.id)
          .map((x) => ({ id: x.user_id, name: `${x.first_name} ${x.last_name}` })),
        labels: labels.filter((l) => l.client_id === r.id).map((l) => ({ id: l.id, name: l.name, color: l.color })),
        open_tasks: c ? Number(c.open_tasks) : 0,
        overdue_tasks: c ? Number(c.overdue_tasks || 0) : 0,
        created_at: r.created_at,
        updated_at: r.updated_at,
      };
    });
    return { items, next_cursor };
  } finally {
    client.release();
  }
}

const app = express();
app.disable("x-powered-by");
app.disable("etag");
app.get("/api/health/live", (_req, res) => res.json({ status: "ok" }));
app.get("/api/v1/clients", async (req, res) => {
  try {
    res.json(await listClients(req));
  } catch (e) {
    const status = e instanceof Problem ? e.status : 500;
    if (status === 500) console.error(e);
    res.status(status).type("application/problem+json").send(JSON.stringify({ status, code: e.code || "internal" }));
  }
});
app.listen(Number(process.env.PORT || 18183), "127.0.0.1");
