//! The integration tests: one binary, one module per area (the plan fixtures are their
//! own binary, `tests/fixtures`, whose harness makes one test per case). Everything runs
//! on loopback ports chosen at run time; nothing reaches the internet except the one-time
//! install of the official Python SDK from PyPI (see `support::python_sdk`).

mod adopt;
mod apply;
mod apply_parameters;
mod architecture;
mod cli;
mod client;
mod coverage;
mod emulator_process;
mod import;
mod nesting;
mod report;
#[path = "../fixtures/report.rs"]
mod report_check;
mod robustness;
mod sdk_interop;
mod support;
mod tencent_client;
mod tencent_emulator;
mod tencent_settings;
