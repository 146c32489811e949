//! The process's memory, for the start-up logs.

/// The process's resident memory in MB, where the system tells it (Linux), for the start-up logs.
pub fn resident_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?;
    Some(kb.trim().trim_end_matches("kB").trim().parse::<u64>().ok()? / 1024)
}
