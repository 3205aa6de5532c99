// English strings of the dashboard pages; ../zh/dashboard.ts has the same keys.
const dashboard = {
  title: "Dashboard",
  intro: "How the app stands now; refreshed every 5 seconds.",
  time: {
    title: "Time",
    server: "Server time",
    browser: "Your time",
    zone: "Time zone",
    mismatch:
      "The server's time zone ({{server}}, {{serverOffset}}) differs from yours ({{browser}}, {{browserOffset}}). CRON expressions of jobs without a time zone fire in the server's zone.",
    skewAhead: "The server's clock is {{seconds}} s ahead of yours.",
    skewBehind: "The server's clock is {{seconds}} s behind yours.",
    version: "Server version",
    artifactStore: "Artifact store",
    builds: "Builds from git",
    buildsOn: "Enabled",
    buildsOff: "Disabled",
  },
  stats: {
    title: "Statistics",
    jobs: "Jobs",
    jobsEnabled: "{{count}} enabled",
    running: "Running instances",
    waiting: "Waiting instances",
    waitingHint: "waiting for dispatch or a worker",
    succeeded: "Succeeded, last 24 h",
    failed: "Failed, last 24 h",
    workers: "Workers alive",
    workersTotal: "of {{count}} registered",
    view: "View",
  },
  failures: {
    title: "Recent failures",
    instance: "Instance",
    job: "Job",
    time: "Finished",
    attempts: "Attempts",
    version: "Container version",
    result: "Result",
    empty: "No failed instance. All good.",
    viewAll: "All failed instances",
  },
  workers: {
    title: "Workers",
    viewAll: "All workers",
  },
};
export default dashboard;
