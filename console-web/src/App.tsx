// The console's routes. Every page but login is under `/apps/:appId/`, so
// a link names the app it shows.
import { Navigate, Outlet, Route, Routes, useLocation } from "react-router";
import { useAuth } from "./auth/AuthContext";
import { Layout } from "./components/Layout";
import { AppsPage } from "./pages/apps/AppsPage";
import { ContainerDetailPage } from "./pages/containers/ContainerDetailPage";
import { ContainersPage } from "./pages/containers/ContainersPage";
import { DashboardPage } from "./pages/dashboard/DashboardPage";
import { HomePage } from "./pages/home/HomePage";
import { InstanceDetailPage } from "./pages/instances/InstanceDetailPage";
import { InstancesPage } from "./pages/instances/InstancesPage";
import { JobEditorPage } from "./pages/jobs/JobEditorPage";
import { JobsPage } from "./pages/jobs/JobsPage";
import { LoginPage } from "./pages/login/LoginPage";
import { WorkersPage } from "./pages/workers/WorkersPage";

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
