-- The scheduler: each job's next trigger time and its misfire and retry
-- settings; one instance per (job, trigger slot), enforced by a unique key
-- whatever the number of servers; the worker registry; containers and
-- their content-addressed versions.
ALTER TABLE job ADD COLUMN next_trigger_time BIGINT NULL;
ALTER TABLE job ADD COLUMN misfire_policy VARCHAR(16) NOT NULL DEFAULT 'FIRE_ONCE_NOW';
ALTER TABLE job ADD COLUMN instance_retry_interval BIGINT NOT NULL DEFAULT 0;
ALTER TABLE job ADD COLUMN instance_retry_backoff DOUBLE PRECISION NOT NULL DEFAULT 1;
CREATE INDEX job_next_trigger_idx ON job (status, next_trigger_time);

ALTER TABLE job_instance ADD COLUMN trigger_slot BIGINT NULL;
CREATE UNIQUE INDEX job_instance_slot_key ON job_instance (job_id, trigger_slot);

CREATE TABLE worker (
    id BIGINT PRIMARY KEY,
    app_id BIGINT NULL,
    address VARCHAR(255) NOT NULL,
    server_id BIGINT NOT NULL,
    tags TEXT NOT NULL,
    capabilities TEXT NOT NULL,
    metrics TEXT NOT NULL,
    version VARCHAR(64) NOT NULL,
    connected BIGINT NOT NULL,
    registered_at BIGINT NOT NULL,
    last_heartbeat BIGINT NOT NULL,
    CONSTRAINT worker_app_fk FOREIGN KEY (app_id) REFERENCES app (id) ON DELETE CASCADE
);

CREATE INDEX worker_app_idx ON worker (app_id, last_heartbeat);

CREATE TABLE container (
    id BIGINT PRIMARY KEY,
    app_id BIGINT NOT NULL,
    name VARCHAR(128) NOT NULL,
    deployed_version_id BIGINT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT container_app_name_key UNIQUE (app_id, name),
    CONSTRAINT container_app_fk FOREIGN KEY (app_id) REFERENCES app (id) ON DELETE CASCADE
);

CREATE TABLE container_version (
    id BIGINT PRIMARY KEY,
    container_id BIGINT NOT NULL,
    label VARCHAR(128) NOT NULL,
    digest VARCHAR(64) NOT NULL,
    size_bytes BIGINT NOT NULL,
    worlds TEXT NOT NULL,
    imports TEXT NOT NULL,
    source TEXT NOT NULL,
    created_by VARCHAR(128) NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT container_version_label_key UNIQUE (container_id, label),
    CONSTRAINT container_version_container_fk FOREIGN KEY (container_id) REFERENCES container (id) ON DELETE CASCADE
);

CREATE INDEX container_version_digest_idx ON container_version (digest);
