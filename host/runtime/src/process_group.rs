//! A child process's group, killed as a whole when dropped: what a script
//! or a compiler starts in the background ends with it, however its task
//! ends (done, stopped, timed out, abandoned).

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

/// The process group led by the child with this pid (spawned with
/// `process_group(0)`); SIGKILLed when dropped.
#[derive(Debug)]
pub struct ProcessGroup(pub u32);

impl ProcessGroup {
    /// Kills every process of the group now.
    pub fn kill(&self) {
        if let Ok(pid) = i32::try_from(self.0) {
            // ESRCH (the group is gone already) is fine.
            let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill();
    }
}
