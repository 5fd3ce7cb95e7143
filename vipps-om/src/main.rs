//! The `vipps-om` binary: everything lives in the library (`vipps_om`),
//! so that tests can reach the console and the commands in-process.

fn main() -> std::process::ExitCode {
    vipps_om::run()
}
