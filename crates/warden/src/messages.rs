//! Logging, warnings, colour and progress. Colour and progress bars appear only on a TTY.

use std::io::IsTerminal;

use clap::ValueEnum;
use owo_colors::OwoColorize;

/// How `-v` logs are written to stderr.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// Sets up `tracing`: warnings by default, `-v` info, `-vv` debug, `-vvv` trace. `RUST_LOG`
/// overrides the level when set.
pub fn init_logging(verbose: u8, quiet: bool, format: LogFormat) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Text => builder.with_target(verbose >= 2).init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Whether stderr is a terminal (colour and progress bars go there).
pub fn stderr_is_tty() -> bool {
    std::io::stderr().is_terminal()
}

/// Prints an error line to stderr.
pub fn error(msg: &str) {
    if stderr_is_tty() {
        anstream::eprintln!("{} {msg}", "error:".red().bold());
    } else {
        anstream::eprintln!("error: {msg}");
    }
}

/// Prints a warning line to stderr.
pub fn warn(msg: &str) {
    if stderr_is_tty() {
        anstream::eprintln!("{} {msg}", "warning:".yellow().bold());
    } else {
        anstream::eprintln!("warning: {msg}");
    }
}

/// A progress bar on stderr, hidden when stderr is not a TTY or `--quiet` is set.
pub fn progress_bar(len: u64, quiet: bool) -> indicatif::ProgressBar {
    if quiet || !stderr_is_tty() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} {msg:30!} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Progress of image pulls and layer reads on a stderr bar (TTY only).
pub struct LayerProgress {
    bar: indicatif::ProgressBar,
}

impl LayerProgress {
    /// A bar that stays hidden when stderr is not a TTY or `quiet` is set.
    pub fn new(quiet: bool) -> Self {
        LayerProgress {
            bar: progress_bar(0, quiet),
        }
    }

    /// Removes the bar from the screen.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl warden_image::Progress for LayerProgress {
    fn layer_started(&self, index: usize, count: usize, size: Option<u64>) {
        self.bar
            .set_message(format!("layer {}/{}", index + 1, count));
        if let Some(size) = size {
            self.bar.inc_length(size);
        }
    }

    fn bytes(&self, n: u64) {
        self.bar.inc(n);
    }

    fn layer_done(&self, _index: usize) {}
}
