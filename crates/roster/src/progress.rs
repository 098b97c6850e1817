//! Sync progress: bars on a terminal, plain log lines otherwise.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use roster_engine::SyncProgress;

/// Shows a sync's progress the way the output device suits.
pub struct Progress {
    bars: Option<(MultiProgress, Mutex<HashMap<String, ProgressBar>>)>,
    account: String,
}

impl Progress {
    /// Bars when standard output is a terminal.
    pub fn new(account: &str) -> Progress {
        let bars = std::io::stdout().is_terminal().then(|| (MultiProgress::new(), Mutex::new(HashMap::new())));
        Progress { bars, account: account.to_string() }
    }

    fn bar(&self, part: &str) -> Option<ProgressBar> {
        let (multi, bars) = self.bars.as_ref()?;
        let mut bars = bars.lock().ok()?;
        Some(
            bars.entry(part.to_string())
                .or_insert_with(|| {
                    let b = multi.add(ProgressBar::new_spinner());
                    b.set_style(
                        ProgressStyle::with_template("{spinner} {prefix:>11} {pos:>8} {msg}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    );
                    b.set_prefix(part.to_string());
                    b
                })
                .clone(),
        )
    }
}

impl SyncProgress for Progress {
    fn page(&self, part: &str, _items: usize, total: u64) {
        match self.bar(part) {
            Some(b) => b.set_position(total),
            None => eprintln!("[{}] {part}: {total}", self.account),
        }
    }

    fn done(&self, part: &str, total: u64) {
        match self.bar(part) {
            Some(b) => {
                b.set_position(total);
                b.finish_with_message("done");
            }
            None => eprintln!("[{}] {part}: {total}, done", self.account),
        }
    }
}
