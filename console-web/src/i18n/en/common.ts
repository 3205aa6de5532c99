// English strings shared by every page. Each page has its own namespace
// file beside this one (jobs.ts, instances.ts, ...), with the same keys in
// ../zh/.
const common = {
  product: "wasmjob",
  skipToContent: "Skip to content",
  nav: {
    dashboard: "Dashboard",
    jobs: "Jobs",
    instances: "Instances",
    containers: "Containers",
    workers: "Workers",
    apps: "Apps",
  },
  app: { label: "App", namespace: "Namespace", allNamespaces: "All namespaces", none: "No apps yet", create: "New app" },
  language: { label: "Language", en: "English", zh: "中文" },
  user: { logout: "Log out", signedInAs: "Signed in as {{name}}" },
  login: {
    title: "Sign in to wasmjob",
    username: "Username",
    password: "Password",
    submit: "Sign in",
    submitting: "Signing in…",
    failed: "Sign-in failed",
  },
  copy: { copy: "Copy", done: "Copied", failed: "The browser refused to copy: select the text and copy it." },
  actions: {
    save: "Save",
    cancel: "Cancel",
    close: "Close",
    delete: "Delete",
    edit: "Edit",
    refresh: "Refresh",
    retry: "Try again",
    confirm: "Confirm",
    search: "Search",
    loadMore: "Load more",
    dismiss: "Dismiss",
    back: "Back",
  },
  state: {
    loading: "Loading…",
    error: "Something went wrong",
    empty: "Nothing here yet",
    noApp: "Choose or create an app to continue.",
  },
  time: { server: "Server time", browser: "Your time", mismatch: "The server's time zone differs from yours." },
  pager: { label: "Pages", previous: "Previous", next: "Next", page: "Page {{page}} of {{pages}}", total: "{{count}} in all" },
  status: {
    WAITING_DISPATCH: "Waiting dispatch",
    WAITING_WORKER_RECEIVE: "Waiting worker",
    RUNNING: "Running",
    FAILED: "Failed",
    SUCCEED: "Succeeded",
    CANCELED: "Canceled",
    STOPPED: "Stopped",
  },
};
export default common;
