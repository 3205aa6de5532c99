// English strings of the instances pages; ../zh/instances.ts has the same keys.
const instances = {
  title: "Instances",
};
export default instances;
