import type en from "../en/common";

const common: typeof en = {
  product: "wasmjob",
  skipToContent: "跳到正文",
  nav: { dashboard: "概览", jobs: "任务管理", instances: "运行记录", containers: "容器管理", workers: "执行器", apps: "应用管理" },
  app: { label: "应用", namespace: "命名空间", allNamespaces: "全部命名空间", none: "还没有应用", create: "新建应用" },
  language: { label: "语言", en: "English", zh: "中文" },
  user: { logout: "退出登录", signedInAs: "当前用户：{{name}}" },
  login: { title: "登录 wasmjob", username: "用户名", password: "密码", submit: "登录", submitting: "正在登录…", failed: "登录失败" },
  copy: { copy: "复制", done: "已复制", failed: "浏览器拒绝复制：请选中文本后手动复制。" },
  actions: {
    save: "保存",
    cancel: "取消",
    close: "关闭",
    delete: "删除",
    edit: "编辑",
    refresh: "刷新",
    retry: "重试",
    confirm: "确认",
    search: "搜索",
    loadMore: "加载更多",
    dismiss: "知道了",
    back: "返回",
  },
  state: { loading: "加载中…", error: "出错了", empty: "暂无数据", noApp: "请选择或新建一个应用。" },
  time: { server: "服务器时间", browser: "本地时间", mismatch: "服务器时区与您的时区不同。" },
  pager: { label: "分页", previous: "上一页", next: "下一页", page: "第 {{page}} / {{pages}} 页", total: "共 {{count}} 条" },
  status: {
    WAITING_DISPATCH: "等待派发",
    WAITING_WORKER_RECEIVE: "等待执行器接收",
    RUNNING: "运行中",
    FAILED: "失败",
    SUCCEED: "成功",
    CANCELED: "已取消",
    STOPPED: "已停止",
  },
};
export default common;
