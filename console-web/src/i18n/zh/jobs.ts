import type en from "../en/jobs";

const jobs: typeof en = {
  title: "jobs",
};
export default jobs;
