// English strings of the dashboard pages; ../zh/dashboard.ts has the same keys.
const dashboard = {
  title: "Dashboard",
};
export default dashboard;
