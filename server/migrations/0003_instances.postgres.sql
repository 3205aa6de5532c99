-- Job instances (one run of a job) with PowerJob's statuses and times, and
-- their online log.
CREATE TABLE job_instance (
    id BIGINT PRIMARY KEY,
    job_id BIGINT NOT NULL,
    app_id BIGINT NOT NULL,
    status VARCHAR(32) NOT NULL,
    trigger_type VARCHAR(16) NOT NULL,
    instance_params TEXT NOT NULL,
    expected_trigger_time BIGINT NOT NULL,
    actual_trigger_time BIGINT NULL,
    finished_time BIGINT NULL,
    result TEXT NOT NULL,
    coordinator VARCHAR(255) NULL,
    running_times BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT job_instance_job_fk FOREIGN KEY (job_id) REFERENCES job (id) ON DELETE CASCADE
);

CREATE INDEX job_instance_app_idx ON job_instance (app_id, id);
CREATE INDEX job_instance_job_idx ON job_instance (job_id, id);
CREATE INDEX job_instance_status_idx ON job_instance (status, expected_trigger_time);

CREATE TABLE instance_log (
    seq BIGSERIAL PRIMARY KEY,
    instance_id BIGINT NOT NULL,
    logged_at BIGINT NOT NULL,
    level VARCHAR(8) NOT NULL,
    task_id VARCHAR(255) NOT NULL,
    source VARCHAR(16) NOT NULL,
    message TEXT NOT NULL,
    CONSTRAINT instance_log_instance_fk FOREIGN KEY (instance_id) REFERENCES job_instance (id) ON DELETE CASCADE
);

CREATE INDEX instance_log_instance_idx ON instance_log (instance_id, seq);
