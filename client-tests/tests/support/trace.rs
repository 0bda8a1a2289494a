//! A minimal `tracing` subscriber recording every span and event with its fields, so
//! tests can read the delays the client computed and check that no secret is logged.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// A span's creation or an event.
#[derive(Clone, Debug, Default)]
pub struct Entry {
    pub is_span: bool,
    pub name: String,
    pub fields: BTreeMap<String, String>,
}

impl Entry {
    /// A field as a number.
    pub fn number(&self, name: &str) -> Option<u64> {
        self.fields.get(name)?.parse().ok()
    }
}

/// Records into a shared list; install with [`Capture::install`].
#[derive(Clone, Default)]
pub struct Capture {
    entries: Arc<Mutex<Vec<Entry>>>,
    next_id: Arc<AtomicU64>,
}

impl Capture {
    /// Records everything traced on this thread until the guard drops. Tests using it
    /// run on a current-thread runtime, so every client event happens on this thread.
    pub fn install() -> (Self, tracing::subscriber::DefaultGuard) {
        let capture = Self::default();
        let guard = tracing::subscriber::set_default(capture.clone());
        (capture, guard)
    }

    /// Everything recorded so far.
    pub fn entries(&self) -> Vec<Entry> {
        self.entries.lock().expect("lock").clone()
    }

    /// The events whose message is `message`.
    pub fn events(&self, message: &str) -> Vec<Entry> {
        self.entries()
            .into_iter()
            .filter(|e| !e.is_span && e.fields.get("message").map(String::as_str) == Some(message))
            .collect()
    }

    /// The `delay_ms` of every "retrying" event, in order.
    pub fn retry_delays_ms(&self) -> Vec<u64> {
        self.events("retrying")
            .iter()
            .filter_map(|e| e.number("delay_ms"))
            .collect()
    }

    /// All recorded text, for "never logged" checks.
    pub fn all_text(&self) -> String {
        format!("{:?}", self.entries())
    }
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let mut entry = Entry {
            is_span: true,
            name: attributes.metadata().name().to_owned(),
            ..Entry::default()
        };
        attributes.record(&mut Fields(&mut entry.fields));
        self.entries.lock().expect("lock").push(entry);
        Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }

    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut entry = Entry {
            is_span: true,
            name: "record".to_owned(),
            ..Entry::default()
        };
        values.record(&mut Fields(&mut entry.fields));
        self.entries.lock().expect("lock").push(entry);
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut entry = Entry {
            name: event.metadata().target().to_owned(),
            ..Entry::default()
        };
        event.record(&mut Fields(&mut entry.fields));
        self.entries.lock().expect("lock").push(entry);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
