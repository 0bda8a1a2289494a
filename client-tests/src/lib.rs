//! This crate only holds integration tests (`tests/`) of the generated client.
