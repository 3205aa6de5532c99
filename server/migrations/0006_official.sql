-- Official processors: the workflow context pairs an instance's tasks
-- appended (INJECT_WORKFLOW_CONTEXT, guests' append-workflow-context), as a
-- JSON object, for the workflow that runs the instance.
ALTER TABLE job_instance ADD COLUMN workflow_appends TEXT NULL;
