-- Jobs, with every field of PowerJob's job. Nested settings (lifecycle
-- aside) are JSON text; the fields the API filters on are columns.
CREATE TABLE job (
    id BIGINT PRIMARY KEY,
    app_id BIGINT NOT NULL,
    name VARCHAR(255) NOT NULL,
    description TEXT NOT NULL,
    job_params TEXT NOT NULL,
    tag VARCHAR(255) NOT NULL,
    extra TEXT NOT NULL,
    status VARCHAR(16) NOT NULL,
    time_expression_type VARCHAR(32) NOT NULL,
    time_expression VARCHAR(1024) NOT NULL,
    time_zone VARCHAR(64) NOT NULL,
    lifecycle_start BIGINT NULL,
    lifecycle_end BIGINT NULL,
    execute_type VARCHAR(16) NOT NULL,
    processor_type VARCHAR(32) NOT NULL,
    processor_info VARCHAR(1024) NOT NULL,
    max_instance_num BIGINT NOT NULL,
    concurrency BIGINT NOT NULL,
    instance_time_limit BIGINT NOT NULL,
    instance_retry_num BIGINT NOT NULL,
    task_retry_num BIGINT NOT NULL,
    min_cpu_cores DOUBLE PRECISION NOT NULL,
    min_memory_space DOUBLE PRECISION NOT NULL,
    min_disk_space DOUBLE PRECISION NOT NULL,
    designated_workers TEXT NOT NULL,
    max_worker_count BIGINT NOT NULL,
    dispatch_strategy VARCHAR(16) NOT NULL,
    dispatch_strategy_config TEXT NOT NULL,
    alarm_config TEXT NOT NULL,
    log_config TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT job_app_fk FOREIGN KEY (app_id) REFERENCES app (id) ON DELETE CASCADE
);

CREATE INDEX job_app_status_idx ON job (app_id, status);
