-- Builds from git: a container's git source (its credentials sealed with
-- the server's key, never stored or returned in the clear), each build of
-- it, and each build's log.
CREATE TABLE container_git_source (
    container_id BIGINT PRIMARY KEY,
    url VARCHAR(2048) NOT NULL,
    ref_kind VARCHAR(16) NOT NULL,
    ref_name VARCHAR(255) NOT NULL,
    subdir VARCHAR(1024) NOT NULL,
    builder VARCHAR(32) NOT NULL,
    credential_kind VARCHAR(16) NULL,
    credential_user VARCHAR(255) NULL,
    credential_sealed TEXT NULL,
    updated_by VARCHAR(128) NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT container_git_source_fk FOREIGN KEY (container_id) REFERENCES container (id) ON DELETE CASCADE
);

CREATE TABLE container_build (
    id BIGINT PRIMARY KEY,
    container_id BIGINT NOT NULL,
    status VARCHAR(16) NOT NULL,
    url VARCHAR(2048) NOT NULL,
    ref_kind VARCHAR(16) NOT NULL,
    ref_name VARCHAR(255) NOT NULL,
    deploy BIGINT NOT NULL,
    commit_id VARCHAR(64) NULL,
    version_id BIGINT NULL,
    label VARCHAR(128) NULL,
    message TEXT NULL,
    created_by VARCHAR(128) NOT NULL,
    created_at BIGINT NOT NULL,
    started_at BIGINT NULL,
    finished_at BIGINT NULL,
    CONSTRAINT container_build_fk FOREIGN KEY (container_id) REFERENCES container (id) ON DELETE CASCADE
);

CREATE INDEX container_build_container_idx ON container_build (container_id, created_at);
CREATE INDEX container_build_status_idx ON container_build (status);

CREATE TABLE container_build_log (
    seq BIGSERIAL PRIMARY KEY,
    build_id BIGINT NOT NULL,
    logged_at BIGINT NOT NULL,
    stream VARCHAR(8) NOT NULL,
    line TEXT NOT NULL,
    CONSTRAINT container_build_log_fk FOREIGN KEY (build_id) REFERENCES container_build (id) ON DELETE CASCADE
);

CREATE INDEX container_build_log_build_idx ON container_build_log (build_id, seq);
