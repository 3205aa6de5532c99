// What the console shows when a page cannot be shown: the page's code did
// not load (the server was updated since the console was opened, so the
// old chunk is gone, or the network failed) or the page threw while
// rendering. The header and menu stay usable; the error is shown with its
// message and a reload, never a blank screen. Moving to another page
// clears it.
import { Component, type ErrorInfo, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { errorMessage } from "./feedback";

interface Props {
  /** Changes when the user moves to another page. */
  resetKey: string;
  children: ReactNode;
}

export class PageBoundary extends Component<Props, { error: unknown }> {
  state = { error: null as unknown };

  static getDerivedStateFromError(error: unknown) {
    return { error: error ?? new Error("unknown error") };
  }

  componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error("a console page failed", error, info.componentStack);
  }

  componentDidUpdate(previous: Props) {
    if (previous.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  render() {
    return this.state.error ? <PageFailed error={this.state.error} /> : this.props.children;
  }
}

function PageFailed({ error }: { error: unknown }) {
  const { t } = useTranslation();
  return (
    <div className="banner banner-error" role="alert">
      <strong>{t("state.pageFailed")}</strong> {errorMessage(error)}
      <p>{t("state.pageFailedHint")}</p>
      <button type="button" className="btn btn-small" onClick={() => window.location.reload()}>
        {t("actions.reload")}
      </button>
    </div>
  );
}
