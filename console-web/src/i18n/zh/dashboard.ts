import type en from "../en/dashboard";

const dashboard: typeof en = {
  title: "dashboard",
};
export default dashboard;
