-- OAuth connect, token refresh, syncs and what they bring in: communications (Gmail, Slack) and daily ad
-- performance (Google Ads, Meta Ads).

-- Health and sync bookkeeping on the integration itself.
-- status_reason: why it is degraded or needs a reconnect, in words for the UI (never a token or provider body).
-- account_id: the provider's stable id of what was connected (mailbox address, Slack team, Meta user, Ads login).
-- sync_cursor: per provider (Gmail {"history_id"}, Slack {"channels": {id: oldest_ts}}).
-- last_sync_stats: {"fetched", "created", "updated", "skipped", "duration_ms"} of the last finished sync.
-- refresh_lease_until: single-flight token refresh across API processes (who refreshes holds the lease).
alter table integration add column status_reason text;
alter table integration add column account_id text;
alter table integration add column connected_by blob;
alter table integration add column connected_at text;
alter table integration add column sync_cursor text not null default '{}';
alter table integration add column sync_progress text;
alter table integration add column last_sync_started_at text;
alter table integration add column last_sync_at text;
alter table integration add column last_sync_outcome text;
alter table integration add column last_sync_stats text;
alter table integration add column last_error text;
alter table integration add column refresh_lease_until text;

-- One OAuth authorization in flight. The `state` sent to the provider is `{id}.{hmac}`; the row binds it to
-- the session that started it, keeps the PKCE verifier server-side, and is consumed once (used_at).
create table oauth_state (
    id blob primary key not null,
    agency_id blob not null references agency (id) on delete cascade,
    user_id blob not null references app_user (id) on delete cascade,
    session_id blob not null,
    provider text not null,
    pkce_verifier text not null,
    redirect_uri text not null,
    expires_at text not null,
    used_at text,
    created_at text not null
);
create index oauth_state_expiry_idx on oauth_state (expires_at);

-- A provider resource (Slack channel, Meta ad account, Google Ads customer) linked to a client.
create table integration_link (
    id blob primary key not null,
    agency_id blob not null references agency (id) on delete cascade,
    integration_id blob not null,
    external_id text not null,
    external_name text not null,
    client_id blob not null references client (id) on delete cascade,
    created_at text not null,
    updated_at text not null,
    constraint integration_link_integration_fk foreign key (agency_id, integration_id) references integration (agency_id, id) on delete cascade,
    constraint integration_link_key unique (agency_id, integration_id, external_id)
);

-- Slack users.info answers, so a sync asks once per user.
create table slack_user (
    agency_id blob not null references agency (id) on delete cascade,
    slack_user_id text not null,
    name text not null,
    email text,
    fetched_at text not null,
    primary key (agency_id, slack_user_id)
);

-- A message from Gmail or Slack on a client. provider_message_id is the Gmail message id or Slack
-- `{channel}:{ts}`; unique per agency and platform so a rerun never writes a message twice.
create table communication (
    id blob primary key not null,
    agency_id blob not null references agency (id) on delete cascade,
    client_id blob not null references client (id) on delete cascade,
    integration_id blob,
    platform text not null,
    provider_message_id text not null,
    thread_id text,
    channel_id text,
    sender_email text,
    sender_name text,
    subject text,
    snippet text not null default '',
    body text not null default '',
    is_inbound boolean not null,
    needs_reply boolean not null default false,
    received_at text not null,
    created_at text not null,
    updated_at text not null,
    constraint communication_message_key unique (agency_id, platform, provider_message_id),
    constraint communication_platform_check check (platform in ('gmail', 'slack'))
);
create index communication_client_idx on communication (agency_id, client_id, received_at);
create index communication_thread_idx on communication (agency_id, thread_id);

-- Daily campaign metrics. Money in cents; one row per (agency, client, platform, account, campaign, date).
create table ad_performance (
    id blob primary key not null,
    agency_id blob not null references agency (id) on delete cascade,
    client_id blob not null references client (id) on delete cascade,
    platform text not null,
    account_id text not null,
    campaign_id text not null,
    campaign_name text not null default '',
    date text not null,
    spend_cents integer not null default 0,
    impressions integer not null default 0,
    clicks integer not null default 0,
    conversions real not null default 0,
    revenue_cents integer,
    currency text,
    created_at text not null,
    updated_at text not null,
    constraint ad_performance_key unique (agency_id, client_id, platform, account_id, campaign_id, date),
    constraint ad_performance_platform_check check (platform in ('google_ads', 'meta_ads'))
);
create index ad_performance_agency_date_idx on ad_performance (agency_id, date);
