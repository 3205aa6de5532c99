// English strings of the containers pages; ../zh/containers.ts has the same keys.
const containers = {
  title: "Containers",
};
export default containers;
