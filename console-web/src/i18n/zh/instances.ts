import type en from "../en/instances";

const instances: typeof en = {
  title: "instances",
};
export default instances;
