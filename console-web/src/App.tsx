// The console's routes. Every page but login is under `/apps/:appId/`, so
// a link names the app it shows.
import { type ComponentType, lazy } from "react";
import { Navigate, Outlet, Route, Routes, useLocation } from "react-router";
import { useAuth } from "./auth/AuthContext";
import { Layout } from "./components/Layout";
import { HomePage } from "./pages/home/HomePage";
import { LoginPage } from "./pages/login/LoginPage";

// Login, the layout and the home redirect come with the first download;
// every other page is fetched when first opened (Layout shows it loading,
// and why if it cannot be fetched).
function page<M>(load: () => Promise<M>, pick: (module: M) => ComponentType) {
  return lazy(() => load().then((module) => ({ default: pick(module) })));
}
const AppsPage = page(() => import("./pages/apps/AppsPage"), (m) => m.AppsPage);
const ContainerDetailPage = page(
  () => import("./pages/containers/ContainerDetailPage"),
  (m) => m.ContainerDetailPage,
);
const ContainersPage = page(() => import("./pages/containers/ContainersPage"), (m) => m.ContainersPage);
const DashboardPage = page(() => import("./pages/dashboard/DashboardPage"), (m) => m.DashboardPage);
const InstanceDetailPage = page(() => import("./pages/instances/InstanceDetailPage"), (m) => m.InstanceDetailPage);
const InstancesPage = page(() => import("./pages/instances/InstancesPage"), (m) => m.InstancesPage);
const JobEditorPage = page(() => import("./pages/jobs/JobEditorPage"), (m) => m.JobEditorPage);
const JobsPage = page(() => import("./pages/jobs/JobsPage"), (m) => m.JobsPage);
const WorkersPage = page(() => import("./pages/workers/WorkersPage"), (m) => m.WorkersPage);

function RequireLogin() {
  const { token } = useAuth();
  const location = useLocation();
  if (!token) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <Outlet />;
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route element={<RequireLogin />}>
        <Route element={<Layout />}>
          <Route index element={<HomePage />} />
          <Route path="apps" element={<AppsPage />} />
          <Route path="apps/:appId">
            <Route index element={<Navigate to="dashboard" replace />} />
            <Route path="dashboard" element={<DashboardPage />} />
            <Route path="jobs" element={<JobsPage />} />
            <Route path="jobs/new" element={<JobEditorPage />} />
            <Route path="jobs/:jobId" element={<JobEditorPage />} />
            <Route path="instances" element={<InstancesPage />} />
            <Route path="instances/:instanceId" element={<InstanceDetailPage />} />
            <Route path="containers" element={<ContainersPage />} />
            <Route path="containers/:name" element={<ContainerDetailPage />} />
            <Route path="workers" element={<WorkersPage />} />
          </Route>
          <Route path="*" element={<Navigate to="/" replace />} />
        </Route>
      </Route>
    </Routes>
  );
}
