import type en from "../en/workers";

const workers: typeof en = {
  title: "workers",
};
export default workers;
