//! `flexperto-sim --port N [--host 127.0.0.1] [--allow-http-loopback]`
use std::io::Write as _;

use flexperto_sim::SimConfig;

fn usage() -> ! {
    eprintln!("usage: flexperto-sim [--port N] [--host ADDR] [--allow-http-loopback]");
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    let mut port: u16 = 0;
    let mut host = String::from("127.0.0.1");
    let mut config = SimConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => {
                port = args
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "--host" => host = args.next().unwrap_or_else(|| usage()),
            "--allow-http-loopback" => config.allow_http_loopback = true,
            "-h" | "--help" => usage(),
            _ => usage(),
        }
    }
    let listener = match tokio::net::TcpListener::bind((host.as_str(), port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("flexperto-sim: cannot listen on {host}:{port}: {e}");
            std::process::exit(1)
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("flexperto-sim: {e}");
            std::process::exit(1)
        }
    };
    println!("listening on http://{addr}");
    let _ = std::io::stdout().flush();
    if let Err(e) = flexperto_sim::serve(listener, config).await {
        eprintln!("flexperto-sim: {e}");
        std::process::exit(1)
    }
}
