-- Distributed execution: whether the coordinating worker also runs tasks
-- (PowerJob's TaskTracker behaviour, NORMAL or PADDLING), whether a
-- MAP_REDUCE job fails instead of reducing when a task failed, and the
-- last task counts and workers a coordinator reported for an instance
-- (JSON: {"tasks": {...}, "workers": [...]}).
ALTER TABLE job ADD COLUMN task_tracker_behavior VARCHAR(16) NOT NULL DEFAULT 'NORMAL';
ALTER TABLE job ADD COLUMN skip_reduce_on_failure BIGINT NOT NULL DEFAULT 0;
ALTER TABLE job_instance ADD COLUMN progress TEXT NULL;
