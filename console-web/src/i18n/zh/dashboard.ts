import type en from "../en/dashboard";

const dashboard: typeof en = {
  title: "概览",
  intro: "应用的当前状况，每 5 秒刷新一次。",
  time: {
    title: "时间",
    server: "调度服务器时间",
    browser: "本地时间",
    zone: "时区",
    mismatch:
      "服务器时区（{{server}}，{{serverOffset}}）与您的时区（{{browser}}，{{browserOffset}}）不同。未指定时区的任务，其 CRON 表达式按服务器时区触发。",
    skewAhead: "服务器时钟比您的快 {{seconds}} 秒。",
    skewBehind: "服务器时钟比您的慢 {{seconds}} 秒。",
    version: "服务器版本",
    artifactStore: "制品存储",
    builds: "从 Git 构建",
    buildsOn: "已启用",
    buildsOff: "未启用",
  },
  stats: {
    title: "统计",
    jobs: "任务总数",
    jobsEnabled: "已启用 {{count}} 个",
    running: "运行中的实例",
    waiting: "等待中的实例",
    waitingHint: "等待派发或等待执行器接收",
    succeeded: "近 24 小时成功",
    failed: "近 24 小时失败",
    workers: "在线执行器",
    workersTotal: "共注册 {{count}} 个",
    view: "查看",
  },
  failures: {
    title: "近期失败",
    instance: "实例",
    job: "任务",
    time: "结束时间",
    attempts: "运行次数",
    version: "容器版本",
    result: "结果",
    empty: "没有失败的实例，一切正常。",
    viewAll: "全部失败实例",
  },
  workers: {
    title: "执行器",
    viewAll: "全部执行器",
  },
};
export default dashboard;
