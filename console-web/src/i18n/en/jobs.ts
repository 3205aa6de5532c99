// English strings of the jobs pages; ../zh/jobs.ts has the same keys.
const jobs = {
  title: "Jobs",
};
export default jobs;
