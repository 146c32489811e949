//! The visit counters of this instance, kept in memory between two writes.

use std::collections::HashMap;
use std::sync::Mutex;

use repere_store::visits::VisitKey;

/// Counters not yet written.
#[derive(Default)]
pub struct Visits {
    pending: Mutex<HashMap<VisitKey, i64>>,
}

impl Visits {
    pub fn record(&self, key: VisitKey) {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        *p.entry(key).or_default() += 1;
    }

    /// Writes the pending counters; on failure they are kept for the next attempt (nothing is lost).
    pub async fn flush(&self, store: &repere_store::Store) -> Result<(), repere_store::StoreError> {
        let batch: Vec<(VisitKey, i64)> = {
            let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            p.drain().collect()
        };
        if let Err(e) = repere_store::visits::add(store, &batch).await {
            let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            for (k, n) in batch {
                *p.entry(k).or_default() += n;
            }
            return Err(e);
        }
        Ok(())
    }
}
