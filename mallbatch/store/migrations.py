"""Schema versions. Each entry upgrades from the previous version; never edit a released one."""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: initial schema
    """
    CREATE TABLE files (
        sha256 TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL, result_path TEXT NOT NULL DEFAULT '', first_seen TEXT NOT NULL, updated_at TEXT NOT NULL);

    CREATE TABLE products (
        code TEXT PRIMARY KEY, data TEXT NOT NULL, source_sha TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL);

    CREATE TABLE sales_groups (
        mall TEXT NOT NULL, account TEXT NOT NULL, name TEXT NOT NULL, data TEXT NOT NULL,
        source_sha TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL,
        PRIMARY KEY (mall, account, name));

    -- One row per intended remote effect. 'in_flight' is committed before the call,
    -- 'unknown' means the mall must be read back before anything is resent.
    CREATE TABLE commands (
        idem_key TEXT PRIMARY KEY, mall TEXT NOT NULL, account TEXT NOT NULL, op TEXT NOT NULL,
        target TEXT NOT NULL, payload TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending','in_flight','done','failed','unknown','held')),
        attempts INTEGER NOT NULL DEFAULT 0, code TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '',
        remote_ref TEXT NOT NULL DEFAULT '', source_sha TEXT NOT NULL DEFAULT '', excel_row INTEGER,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
    CREATE INDEX commands_state ON commands(state, mall, account);
    CREATE INDEX commands_target ON commands(mall, account, op, target);

    CREATE TABLE bindings (
        mall TEXT NOT NULL, account TEXT NOT NULL, code TEXT NOT NULL, product_id TEXT NOT NULL,
        extra TEXT NOT NULL DEFAULT '{}', group_name TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL,
        PRIMARY KEY (mall, account, code));

    CREATE TABLE link_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT, mall TEXT NOT NULL, account TEXT NOT NULL, code TEXT NOT NULL,
        op TEXT NOT NULL, outcome TEXT NOT NULL, message TEXT NOT NULL DEFAULT '', at TEXT NOT NULL);
    CREATE INDEX link_history_code ON link_history(code, mall, account);

    -- Collected orders/claims/inquiries upserted by the mall's natural key.
    CREATE TABLE records (
        mall TEXT NOT NULL, account TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
        data TEXT NOT NULL, raw TEXT NOT NULL, first_seen TEXT NOT NULL, updated_at TEXT NOT NULL,
        first_run TEXT NOT NULL DEFAULT '', ship_unit TEXT NOT NULL DEFAULT '', order_id TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (mall, account, kind, key));
    CREATE INDEX records_ship_unit ON records(mall, account, kind, ship_unit);
    CREATE INDEX records_order ON records(mall, account, kind, order_id);

    CREATE TABLE watermarks (
        mall TEXT NOT NULL, account TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL, updated_at TEXT NOT NULL,
        PRIMARY KEY (mall, account, kind));

    CREATE TABLE outputs (
        run_id TEXT NOT NULL, kind TEXT NOT NULL, path TEXT NOT NULL, created_at TEXT NOT NULL,
        PRIMARY KEY (run_id, kind));
    """,
    # 2: personal-data retention: when a record's names, phones and addresses were masked
    """
    ALTER TABLE records ADD COLUMN masked_at TEXT NOT NULL DEFAULT '';
    CREATE INDEX records_unmasked ON records(masked_at, updated_at);
    """,
    # 3: the seller's own stock per 자체상품코드 and option, the ledger of what orders and cancels
    # changed (once per mall line id and event), and what each account was last sent
    """
    CREATE TABLE stock (
        code TEXT NOT NULL, option TEXT NOT NULL DEFAULT '', on_hand INTEGER NOT NULL, safety INTEGER NOT NULL DEFAULT 0,
        revision INTEGER NOT NULL DEFAULT 1, counted_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        PRIMARY KEY (code, option));

    CREATE TABLE stock_ledger (
        mall TEXT NOT NULL, account TEXT NOT NULL, line_id TEXT NOT NULL,
        event TEXT NOT NULL CHECK (event IN ('sold','restored')),
        code TEXT NOT NULL, option TEXT NOT NULL DEFAULT '', quantity INTEGER NOT NULL, at TEXT NOT NULL,
        PRIMARY KEY (mall, account, line_id, event));
    CREATE INDEX stock_ledger_code ON stock_ledger(code, option);

    CREATE TABLE stock_synced (
        mall TEXT NOT NULL, account TEXT NOT NULL, code TEXT NOT NULL, option TEXT NOT NULL DEFAULT '',
        revision INTEGER NOT NULL, available INTEGER NOT NULL, updated_at TEXT NOT NULL,
        PRIMARY KEY (mall, account, code, option));
    """,
    # 4: one process's claim on an in-flight command (who sends it, since when), and the rate limits every
    # process of a PostgreSQL store shares: each limiter's tokens and its last sends, by the database's clock
    """
    ALTER TABLE commands ADD COLUMN claim_owner TEXT NOT NULL DEFAULT '';
    ALTER TABLE commands ADD COLUMN claimed_at TEXT NOT NULL DEFAULT '';

    CREATE TABLE rate_limits (
        limit_key TEXT PRIMARY KEY, tokens DOUBLE PRECISION NOT NULL, last_at DOUBLE PRECISION NOT NULL,
        sent TEXT NOT NULL DEFAULT '');
    """,
)
