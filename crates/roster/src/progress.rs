//! Sync progress: bars on a terminal, plain log lines otherwise.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use roster_engine::SyncProgress;

/// Shows a sync's progress the way the output device suits.
pub struct Progress {
    bars: Option<(MultiProgress, Mutex<HashMap<String, ProgressBar>>)>,
    account: String,
    /// When the pause last told about ends (a pause is told once, not every second).
    told_until: Mutex<Option<Instant>>,
}

impl Progress {
    /// Bars when standard output is a terminal.
    pub fn new(account: &str) -> Progress {
        let bars = std::io::stdout().is_terminal().then(|| (MultiProgress::new(), Mutex::new(HashMap::new())));
        Progress { bars, account: account.to_string(), told_until: Mutex::new(None) }
    }

    /// Says that requests wait `left` for monday.com's complexity budget or a rate limit (a
    /// sync that pauses would otherwise look stuck). Called about once a second.
    pub fn waiting(&self, left: Option<Duration>) {
        let message = left.filter(|l| *l >= Duration::from_secs(2)).map(|l| {
            format!("waiting {} s for monday.com's complexity budget to refill (it refills each minute)", l.as_secs())
        });
        if let Some(b) = self.bar("budget") {
            b.set_message(message.unwrap_or_default());
            b.tick();
            return;
        }
        let (Some(message), Some(left)) = (message, left) else { return };
        let until = Instant::now() + left;
        let Ok(mut told) = self.told_until.lock() else { return };
        // A new pause (not the one already told, whose end only comes closer).
        if told.is_none_or(|t| until > t + Duration::from_secs(2)) {
            *told = Some(until);
            eprintln!("[{}] {message}", self.account);
        }
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
