import type en from "../en/containers";

const containers: typeof en = {
  title: "containers",
};
export default containers;
