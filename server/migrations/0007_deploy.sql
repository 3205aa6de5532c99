-- Deploy, rollback and retention of containers: every deployment of a
-- version (who, when, which; the label and digest are copied so the
-- history outlives a deleted version), what each worker reported of each
-- artifact it was asked to prefetch or loaded (FETCHING, READY, FAILED),
-- and the container version an instance's current attempt runs.
CREATE TABLE container_deployment (
    id BIGINT PRIMARY KEY,
    container_id BIGINT NOT NULL,
    version_id BIGINT NOT NULL,
    label VARCHAR(128) NOT NULL,
    digest VARCHAR(64) NOT NULL,
    deployed_by VARCHAR(128) NOT NULL,
    deployed_at BIGINT NOT NULL,
    CONSTRAINT container_deployment_fk FOREIGN KEY (container_id) REFERENCES container (id) ON DELETE CASCADE
);

CREATE INDEX container_deployment_container_idx ON container_deployment (container_id, deployed_at);

-- What is deployed today becomes the first entry of each history (a
-- container's id is never another row's: ids come from one generator).
INSERT INTO container_deployment (id, container_id, version_id, label, digest, deployed_by, deployed_at)
SELECT c.id, c.id, v.id, v.label, v.digest, v.created_by, c.updated_at
FROM container c JOIN container_version v ON v.id = c.deployed_version_id;

CREATE TABLE worker_artifact (
    worker_id BIGINT NOT NULL,
    digest VARCHAR(64) NOT NULL,
    state VARCHAR(16) NOT NULL,
    message TEXT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (worker_id, digest),
    CONSTRAINT worker_artifact_worker_fk FOREIGN KEY (worker_id) REFERENCES worker (id) ON DELETE CASCADE
);

CREATE INDEX worker_artifact_digest_idx ON worker_artifact (digest);

ALTER TABLE job_instance ADD COLUMN container_version VARCHAR(257) NULL;
ALTER TABLE job_instance ADD COLUMN container_digest VARCHAR(64) NULL;
