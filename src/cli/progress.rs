//! Progress bars on stderr: only when stderr is a terminal, and only once the work has
//! taken longer than a moment, so quick runs print nothing extra.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

const DELAY: Duration = Duration::from_millis(400);

pub struct Progress {
    bar: ProgressBar,
    start: Instant,
    shown: bool,
    enabled: bool,
}

impl Progress {
    pub fn new(len: u64, what: &str, quiet: bool) -> Self {
        let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(
                "{msg:>16} [{bar:40.cyan/blue}] {pos}/{len} {per_sec} eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.set_message(what.to_string());
        Progress {
            bar,
            start: Instant::now(),
            shown: false,
            enabled: !quiet && std::io::stderr().is_terminal(),
        }
    }

    pub fn set(&mut self, pos: u64) {
        if self.enabled && !self.shown && self.start.elapsed() > DELAY {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.shown = true;
        }
        self.bar.set_position(pos);
    }

    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}
