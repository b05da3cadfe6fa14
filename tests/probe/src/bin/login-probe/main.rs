//! `login-probe`: an operator's synthetic end-to-end check of a login server, built on `maple_client`.

mod args;
mod flow;
mod report;
mod usage;

use std::process::ExitCode;
use std::time::Instant;

use args::Command;
use report::Reporter;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let command = args::parse(std::env::args().skip(1), |k| std::env::var(k).ok());
    let args = match command {
        Ok(Command::Run(args)) => args,
        Ok(Command::Help) => {
            println!("{}", usage::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("login-probe: {msg}\n\n{}", usage::USAGE);
            return ExitCode::from(2);
        }
    };
    let rep = Reporter::new(args.json);
    let start = Instant::now();
    match flow::run(&args, &rep).await {
        Ok(steps) => {
            rep.step("done", start.elapsed(), true, &format!("{steps} steps"));
            ExitCode::SUCCESS
        }
        Err(failure) => {
            rep.step(
                "done",
                start.elapsed(),
                false,
                &format!("failed at {}", failure.step),
            );
            eprintln!("login-probe: {} failed: {}", failure.step, failure.message);
            ExitCode::from(failure.exit)
        }
    }
}
