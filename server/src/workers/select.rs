//! PowerJob's dispatch rules: which connected workers may take an
//! instance (designated workers or tags, minimum CPU, memory and disk, the
//! processor kind), how many of them (max worker count), and which one
//! coordinates (HEALTH_FIRST, RANDOM, SPECIFY); the others may take part
//! in a BROADCAST, MAP or MAP_REDUCE instance.

use super::registry::ConnectedWorker;
use crate::jobs::model::{DispatchStrategy, Job};
use rand::seq::IndexedRandom;
use std::sync::Arc;

/// The workers an instance may use.
#[derive(Debug)]
pub struct Choice {
    /// The worker that coordinates it.
    pub coordinator: Arc<ConnectedWorker>,
    /// The other eligible workers (within the max worker count), healthiest
    /// first.
    pub others: Vec<Arc<ConnectedWorker>>,
}

/// The workers an instance goes to, or why there are none.
pub fn choose(job: &Job, workers: Vec<Arc<ConnectedWorker>>) -> Result<Choice, String> {
    let spec = &job.spec;
    let connected = workers.len();
    let designated: Vec<&Arc<ConnectedWorker>> =
        workers.iter().filter(|w| matches_any(w, &spec.designated_workers)).collect();
    if designated.is_empty() {
        return Err(format!(
            "no worker available: {connected} worker(s) run this job's processor but none is among the designated \
             workers {:?}",
            spec.designated_workers
        ));
    }
    let mut fit: Vec<&Arc<ConnectedWorker>> = designated.into_iter().filter(|w| has_room(w, job)).collect();
    if fit.is_empty() {
        return Err(format!(
            "no worker available: none of {connected} worker(s) has {} free CPU cores, {} GB free memory and {} GB \
             free disk",
            spec.min_cpu_cores, spec.min_memory_space, spec.min_disk_space
        ));
    }
    fit.sort_by(|a, b| score(b).total_cmp(&score(a)).then_with(|| a.address.cmp(&b.address)));
    if spec.max_worker_count > 0 {
        fit.truncate(spec.max_worker_count as usize);
    }
    let chosen = match spec.dispatch_strategy {
        DispatchStrategy::HealthFirst => fit.first().copied(),
        DispatchStrategy::Random => fit.choose(&mut rand::rng()).copied(),
        DispatchStrategy::Specify => {
            let wanted = specify_list(&spec.dispatch_strategy_config);
            let found = fit.iter().copied().find(|w| matches_any(w, &wanted));
            if found.is_none() {
                return Err(format!(
                    "no worker available: SPECIFY names {wanted:?} but no eligible worker has that address or tag"
                ));
            }
            found
        }
    };
    let coordinator = chosen.cloned().ok_or_else(|| "no worker available".to_string())?;
    let others = fit.into_iter().filter(|w| !Arc::ptr_eq(w, &coordinator)).cloned().collect();
    Ok(Choice { coordinator, others })
}

/// Whether the worker's address or one of its tags is in `names` (an
/// empty list matches every worker).
fn matches_any(worker: &ConnectedWorker, names: &[String]) -> bool {
    names.is_empty() || names.iter().any(|n| *n == worker.address || worker.tags.iter().any(|t| t == n))
}

fn has_room(worker: &ConnectedWorker, job: &Job) -> bool {
    let m = worker.metrics();
    let spec = &job.spec;
    m.free_cpu_cores() >= spec.min_cpu_cores
        && m.memory_available_gb >= spec.min_memory_space
        && m.disk_available_gb >= spec.min_disk_space
}

/// Health first, then the fewest running instances.
fn score(worker: &ConnectedWorker) -> f64 {
    let capacity = f64::from(worker.capabilities.max_concurrent_tasks.max(1));
    worker.metrics().health_score() - worker.running() as f64 / capacity
}

/// SPECIFY's configuration: a JSON array of addresses or tags, or a comma
/// separated list.
pub fn specify_list(config: &str) -> Vec<String> {
    if let Ok(list) = serde_json::from_str::<Vec<String>>(config) {
        return list;
    }
    config.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Id;
    use crate::jobs::model::JobSpec;
    use wasmjob_wire::{Capabilities, Metrics, Register};

    fn worker(address: &str, tags: &[&str], free_memory: f64, load: f64) -> Arc<ConnectedWorker> {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let register = Register {
            protocol: 1,
            address: address.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            capabilities: Capabilities {
                processor_types: vec!["WASM".into()],
                max_concurrent_tasks: 4,
                engine: String::new(),
            },
            metrics: Metrics {
                cpu_cores: 4.0,
                load_average: load,
                memory_total_gb: 16.0,
                memory_available_gb: free_memory,
                disk_total_gb: 100.0,
                disk_available_gb: 50.0,
            },
            version: String::new(),
            peer_address: Some(format!("{address}:7701")),
        };
        let worker = ConnectedWorker::new(Id(1), Some(Id(1)), &register, String::new(), tx);
        worker.open();
        Arc::new(worker)
    }

    fn job(edit: impl FnOnce(&mut JobSpec)) -> Job {
        let mut spec: JobSpec = serde_json::from_value(serde_json::json!({
            "name": "j", "timeExpressionType": "API", "executeType": "STANDALONE",
            "processorType": "WASM", "processorInfo": "c"
        }))
        .unwrap();
        edit(&mut spec);
        Job { id: Id(1), app_id: Id(1), spec, created_at: 0, updated_at: 0 }
    }

    #[test]
    fn health_first_picks_the_freest_worker() {
        let workers = vec![worker("a", &[], 2.0, 3.0), worker("b", &[], 12.0, 0.5)];
        let choice = choose(&job(|_| {}), workers).unwrap();
        assert_eq!(choice.coordinator.address, "b");
        assert_eq!(choice.others.iter().map(|w| w.address.as_str()).collect::<Vec<_>>(), ["a"]);
    }

    #[test]
    fn designated_workers_match_addresses_and_tags() {
        let workers = vec![worker("a", &["gpu"], 2.0, 3.0), worker("b", &[], 12.0, 0.5)];
        let chosen = choose(&job(|s| s.designated_workers = vec!["gpu".into()]), workers.clone()).unwrap();
        assert_eq!(chosen.coordinator.address, "a");
        assert!(chosen.others.is_empty(), "only designated workers take part");
        let err = choose(&job(|s| s.designated_workers = vec!["c".into()]), workers).unwrap_err();
        assert!(err.contains("designated"), "{err}");
    }

    #[test]
    fn minimums_and_specify_are_enforced() {
        let workers = vec![worker("a", &[], 2.0, 0.0), worker("b", &["blue"], 12.0, 3.5)];
        let err = choose(&job(|s| s.min_memory_space = 20.0), workers.clone()).unwrap_err();
        assert!(err.contains("20 GB free memory"), "{err}");
        assert_eq!(choose(&job(|s| s.min_cpu_cores = 1.0), workers.clone()).unwrap().coordinator.address, "a");
        let specify = job(|s| {
            s.dispatch_strategy = DispatchStrategy::Specify;
            s.dispatch_strategy_config = "blue".into();
        });
        assert_eq!(choose(&specify, workers.clone()).unwrap().coordinator.address, "b");
        let capped = job(|s| s.max_worker_count = 1);
        assert!(
            choose(&capped, workers.clone()).unwrap().others.is_empty(),
            "max worker count includes the coordinator"
        );
        assert_eq!(specify_list(r#"["x","y"]"#), vec!["x", "y"]);
        assert_eq!(specify_list(" x, y ,"), vec!["x", "y"]);
    }
}
