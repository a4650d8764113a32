//! Rendering findings for the terminal: `path:line:column: error: message`.

use switchboard_locale::Localizer;
use switchboard_model::{Message, MessageId, Severity};
use switchboard_solution::Diagnostic;

/// Renders one finding on one line.
pub(crate) fn diagnostic(l: &Localizer, d: &Diagnostic) -> String {
    let kind = match d.severity {
        Severity::Error => l.render(&Message::new(MessageId::CliError)),
        Severity::Warning => l.render(&Message::new(MessageId::CliWarning)),
    };
    match &d.location {
        Some(loc) => format!("{loc}: {kind}: {}", l.render(&d.message)),
        None => format!("{kind}: {}", l.render(&d.message)),
    }
}

/// Prints findings to standard error, errors first.
pub(crate) fn print_diagnostics(l: &Localizer, diagnostics: &[Diagnostic]) {
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by_key(|d| d.severity == Severity::Warning);
    for d in sorted {
        eprintln!("{}", diagnostic(l, d));
    }
}

/// Writes to standard output, ignoring a closed pipe (`switchboard list | head`).
pub(crate) fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.write_all(b"\n"));
}
