//! The worker's machine, as registration and heartbeats report it: logical
//! cores, the one-minute load, memory, and the disk holding the data
//! directory.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use sysinfo::{CpuRefreshKind, DiskRefreshKind, Disks, MemoryRefreshKind, RefreshKind, System};
use wasmjob_wire::Metrics;

const GIB: f64 = (1u64 << 30) as f64;

/// Reads the machine's figures.
#[derive(Debug)]
pub(crate) struct MetricsProbe {
    data_dir: PathBuf,
    cores: f64,
}

impl MetricsProbe {
    pub(crate) fn new(data_dir: &Path) -> Self {
        let listed = System::new_with_specifics(RefreshKind::nothing().with_cpu(CpuRefreshKind::nothing()))
            .map(|s| s.cpus().len())
            .unwrap_or_default();
        let cores = if listed > 0 { listed } else { std::thread::available_parallelism().map_or(1, |n| n.get()) };
        Self { data_dir: data_dir.to_path_buf(), cores: cores as f64 }
    }

    /// The figures now. Blocking (it reads `/proc` and stats a disk).
    pub(crate) fn collect(&self) -> Metrics {
        let mut metrics = Metrics { cpu_cores: self.cores, ..Metrics::default() };
        metrics.load_average = System::load_average().map(|l| l.one).unwrap_or_default();
        if let Ok(mut system) = System::new() {
            system.refresh_memory_specifics(MemoryRefreshKind::nothing().with_ram());
            metrics.memory_total_gb = system.total_memory() as f64 / GIB;
            metrics.memory_available_gb = system.available_memory() as f64 / GIB;
        }
        if let Some((total, available)) = disk_holding(&self.data_dir) {
            metrics.disk_total_gb = total as f64 / GIB;
            metrics.disk_available_gb = available as f64 / GIB;
        }
        metrics
    }

    /// [`MetricsProbe::collect`] off the async threads.
    pub(crate) async fn collect_async(self: &Arc<Self>) -> Metrics {
        let probe = self.clone();
        tokio::task::spawn_blocking(move || probe.collect()).await.unwrap_or_default()
    }
}

/// Total and available bytes of the filesystem holding `path`: the disk
/// with the longest mount point that is a prefix of it.
fn disk_holding(path: &Path) -> Option<(u64, u64)> {
    let path = path.canonicalize().ok()?;
    let disks = Disks::new_with_refreshed_list_specifics(DiskRefreshKind::nothing().with_storage()).ok()?;
    disks
        .iter()
        .filter(|d| path.starts_with(d.mount_point()))
        .max_by_key(|d| d.mount_point().as_os_str().len())
        .map(|d| (d.total_space(), d.available_space()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_figures_are_sane() {
        let dir = tempfile::tempdir().unwrap();
        let m = MetricsProbe::new(dir.path()).collect();
        assert!(m.cpu_cores >= 1.0, "{m:?}");
        assert!(m.load_average >= 0.0, "{m:?}");
        assert!(m.memory_total_gb > 0.0 && m.memory_available_gb <= m.memory_total_gb, "{m:?}");
        assert!(m.disk_total_gb > 0.0 && m.disk_available_gb <= m.disk_total_gb, "{m:?}");
    }
}
