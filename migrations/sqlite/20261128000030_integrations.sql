-- Provider integrations, one per agency and provider. Only what token storage needs so far; the OAuth
-- connect, sync and health parts of the integrations work add their columns in later migrations.
-- access_token_enc / refresh_token_enc hold `v1:{key_id}:{base64url(nonce || ciphertext || tag)}`
-- (AES-256-GCM, associated data = agency id, integration id and field; see integrations/crypto.rs), never
-- a token in clear. scopes: the granted scopes, space-separated as OAuth sends them.

create table integration (
    id blob primary key not null,
    agency_id blob not null references agency (id) on delete cascade,
    provider text not null,
    status text not null default 'not_connected',
    account_label text,
    access_token_enc text,
    refresh_token_enc text,
    token_expires_at text,
    scopes text not null default '',
    created_at text not null,
    updated_at text not null,
    constraint integration_agency_id_key unique (agency_id, id),
    constraint integration_agency_provider_key unique (agency_id, provider),
    constraint integration_provider_check check (provider in ('gmail', 'google_ads', 'slack', 'meta_ads')),
    constraint integration_status_check check (status in ('not_connected', 'connected', 'syncing', 'degraded', 'needs_reconnect'))
);
