//! `flexperto-sim --port N [--host 127.0.0.1] [--storage-port N] [--allow-http-loopback]
//!  [--meeting-link-fields MODERATOR,PARTICIPANTS,LINK] [--spec-variant]`
//!
//! Prints `listening on http://ADDR` (always the first line), then `storage on http://ADDR`.
use std::io::Write as _;

use flexperto_sim::SimConfig;

fn usage() -> ! {
    eprintln!(
        "usage: flexperto-sim [--port N] [--host ADDR] [--storage-port N] [--allow-http-loopback] [--meeting-link-fields MODERATOR,PARTICIPANTS,LINK] [--spec-variant]"
    );
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    let mut port: u16 = 0;
    let mut storage_port: u16 = 0;
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
            "--storage-port" => {
                storage_port = args
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or_else(|| usage())
            }
            "--host" => host = args.next().unwrap_or_else(|| usage()),
            "--allow-http-loopback" => config.allow_http_loopback = true,
            "--meeting-link-fields" => {
                let names: Vec<String> = args
                    .next()
                    .unwrap_or_else(|| usage())
                    .split(',')
                    .map(str::to_owned)
                    .collect();
                match <[String; 3]>::try_from(names) {
                    Ok(n) if n.iter().all(|s| !s.is_empty()) => {
                        config.meeting_link_fields = Some(n)
                    }
                    _ => usage(),
                }
            }
            "--spec-variant" => config.spec_variant = true,
            "-h" | "--help" => usage(),
            _ => usage(),
        }
    }
    let bind = |port: u16| {
        let host = host.clone();
        async move {
            match tokio::net::TcpListener::bind((host.as_str(), port)).await {
                Ok(l) => match l.local_addr() {
                    Ok(a) => (l, a),
                    Err(e) => {
                        eprintln!("flexperto-sim: {e}");
                        std::process::exit(1)
                    }
                },
                Err(e) => {
                    eprintln!("flexperto-sim: cannot listen on {host}:{port}: {e}");
                    std::process::exit(1)
                }
            }
        }
    };
    let (listener, addr) = bind(port).await;
    let (storage, storage_addr) = bind(storage_port).await;
    println!("listening on http://{addr}");
    println!("storage on http://{storage_addr}");
    let _ = std::io::stdout().flush();
    if let Err(e) = flexperto_sim::serve_with_storage(listener, storage, config).await {
        eprintln!("flexperto-sim: {e}");
        std::process::exit(1)
    }
}
