//! What an official processor is given and how a broadcast of one ends.
//!
//! As in PowerJob, a processor's parameters are the instance's when the
//! run gives some, else the job's. Kinds that take JSON decode it with
//! [`json`], which names the expected shape in its error.

use super::Ended;
use serde::de::DeserializeOwned;
use wasmjob_runtime::OutcomeSource;
use wasmjob_runtime::TaskSpec;

/// The parameters of a task: the instance's, else the job's.
pub(crate) fn effective(spec: &TaskSpec) -> &str {
    if spec.instance_params.trim().is_empty() { &spec.job_params } else { &spec.instance_params }
}

/// Decodes JSON parameters; the error shows the shape expected.
pub(crate) fn json<T: DeserializeOwned>(params: &str, example: &str) -> Result<T, String> {
    serde_json::from_str(params).map_err(|e| format!("the parameters must be JSON like {example}: {e}"))
}

/// A broadcast's post-process: how many workers succeeded, and which did
/// not.
pub(crate) fn summarize(results: &mut dyn OutcomeSource) -> Ended {
    let total = results.total();
    let mut failed = Vec::new();
    loop {
        let page = results.next_page(1024);
        if page.is_empty() {
            break;
        }
        failed
            .extend(page.into_iter().filter(|o| !o.success).map(|o| format!("{} ({})", o.task_id, first_line(&o.msg))));
    }
    let msg = format!("{} of {total} workers succeeded", total - failed.len() as u64);
    if failed.is_empty() {
        Ended::new(true, msg)
    } else {
        Ended::new(false, format!("{msg}; failed: {}", failed.join(", ")))
    }
}

fn first_line(text: &str) -> &str {
    let line = text.lines().next().unwrap_or_default();
    match line.char_indices().nth(200) {
        Some((end, _)) => &line[..end],
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmjob_runtime::{TaskOutcome, VecOutcomes};

    #[test]
    fn instance_params_replace_job_params() {
        let spec = TaskSpec::root(1, 2, "job", "");
        assert_eq!(effective(&spec), "job");
        let spec = TaskSpec::root(1, 2, "job", "run");
        assert_eq!(effective(&spec), "run");
        let err = json::<serde_json::Value>("{nope", r#"{"url":"..."}"#).unwrap_err();
        assert!(err.starts_with(r#"the parameters must be JSON like {"url":"..."}: "#), "{err}");
    }

    #[test]
    fn post_process_names_the_workers_that_failed() {
        let outcome = |id: &str, success: bool| TaskOutcome {
            task_id: id.into(),
            task_name: "BROADCAST".into(),
            success,
            msg: format!("{id} said so\nmore"),
        };
        let mut all = VecOutcomes::new(vec![outcome("0.0", true), outcome("0.1", false), outcome("0.2", true)]);
        let ended = summarize(&mut all);
        assert!(!ended.success);
        assert_eq!(ended.msg, "2 of 3 workers succeeded; failed: 0.1 (0.1 said so)");
    }
}
