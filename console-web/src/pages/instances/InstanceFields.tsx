// Every field of an instance, as a description list.
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { StatusBadge } from "../../components/StatusBadge";
import { formatDuration, formatTime } from "../../components/format";
import { instanceDuration, type Instance } from "./status";

function Item({ label, children, wide }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    <div className={wide ? "instance-field wide" : "instance-field"}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Text({ value, none }: { value: string | null | undefined; none: string }) {
  return value ? <pre className="instance-pre">{value}</pre> : <span className="muted">{none}</span>;
}

export function InstanceFields({ appId, instance, jobName }: { appId: string; instance: Instance; jobName?: string }) {
  const { t } = useTranslation("instances");
  const f = (key: keyof typeof fieldKeys) => t(fieldKeys[key]);
  const none = t("detail.fields.none");
  const appends = Object.entries(instance.workflowAppends ?? {});
  return (
    <section className="card">
      <dl className="instance-fields">
        <Item label={f("id")}>
          <span className="mono">{instance.id}</span>
        </Item>
        <Item label={f("job")}>
          <Link to={`/apps/${appId}/jobs/${instance.jobId}`}>{jobName ?? instance.jobId}</Link>
        </Item>
        <Item label={f("jobId")}>
          <span className="mono">{instance.jobId}</span>
        </Item>
        <Item label={f("status")}>
          <StatusBadge status={instance.status} />
        </Item>
        <Item label={f("triggerType")}>{t(`trigger.${instance.triggerType}`)}</Item>
        <Item label={f("runningTimes")}>{instance.runningTimes}</Item>
        <Item label={f("expectedTriggerTime")}>{formatTime(instance.expectedTriggerTime)}</Item>
        <Item label={f("actualTriggerTime")}>{formatTime(instance.actualTriggerTime)}</Item>
        <Item label={f("finishedTime")}>{formatTime(instance.finishedTime)}</Item>
        <Item label={f("duration")}>{formatDuration(instanceDuration(instance))}</Item>
        <Item label={f("createdAt")}>{formatTime(instance.createdAt)}</Item>
        <Item label={f("updatedAt")}>{formatTime(instance.updatedAt)}</Item>
        <Item label={f("worker")}>
          <span className="mono">{instance.coordinator || "—"}</span>
        </Item>
        <Item label={f("containerVersion")}>
          <span className="mono">{instance.containerVersion || "—"}</span>
        </Item>
        <Item label={f("containerDigest")} wide>
          <span className="mono instance-digest">{instance.containerDigest || "—"}</span>
        </Item>
        <Item label={f("instanceParams")} wide>
          <Text value={instance.instanceParams} none={none} />
        </Item>
        <Item label={f("result")} wide>
          <Text value={instance.result} none={none} />
        </Item>
        {appends.length > 0 && (
          <Item label={f("workflowAppends")} wide>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{f("key")}</th>
                  <th scope="col">{f("value")}</th>
                </tr>
              </thead>
              <tbody>
                {appends.map(([key, value]) => (
                  <tr key={key}>
                    <td className="mono">{key}</td>
                    <td className="mono">{value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Item>
        )}
      </dl>
    </section>
  );
}

const fieldKeys = {
  id: "detail.fields.id",
  job: "detail.fields.job",
  jobId: "detail.fields.jobId",
  status: "detail.fields.status",
  triggerType: "detail.fields.triggerType",
  runningTimes: "detail.fields.runningTimes",
  expectedTriggerTime: "detail.fields.expectedTriggerTime",
  actualTriggerTime: "detail.fields.actualTriggerTime",
  finishedTime: "detail.fields.finishedTime",
  duration: "detail.fields.duration",
  createdAt: "detail.fields.createdAt",
  updatedAt: "detail.fields.updatedAt",
  worker: "detail.fields.worker",
  containerVersion: "detail.fields.containerVersion",
  containerDigest: "detail.fields.containerDigest",
  instanceParams: "detail.fields.instanceParams",
  result: "detail.fields.result",
  workflowAppends: "detail.fields.workflowAppends",
  key: "detail.fields.key",
  value: "detail.fields.value",
} as const;
