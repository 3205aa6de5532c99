// English strings of the workers pages; ../zh/workers.ts has the same keys.
const workers = {
  title: "Workers",
};
export default workers;
